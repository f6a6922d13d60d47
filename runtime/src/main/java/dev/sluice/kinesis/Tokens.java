package dev.sluice.kinesis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * Shard iterators and pagination tokens: signed, carrying when they were issued so that they
 * expire, and opaque to clients.
 */
final class Tokens {

  private static final byte ITERATOR = 1;
  private static final byte SHARD_PAGE = 2;
  private static final byte STREAM_PAGE = 3;
  private static final int MAX_ITERATOR_LENGTH = 512;

  private final Signer signer;
  private final Clock clock;
  private final long ttlMillis;

  Tokens(Signer signer, Clock clock, long ttlMillis) {
    this.signer = signer;
    this.clock = clock;
    this.ttlMillis = ttlMillis;
  }

  /**
   * Where a shard iterator points.
   *
   * @param stream the stream name
   * @param streamCreatedMillis when that stream was created: a stream deleted and created again
   *     under the name is another one, whose shards the iterator does not point into
   * @param shardId the shard
   * @param offset the offset of the next record to read
   */
  record Position(String stream, long streamCreatedMillis, String shardId, long offset) {}

  String iterator(Position p) {
    return encode(ITERATOR, p.stream(), p.shardId() + "/" + p.streamCreatedMillis(), p.offset());
  }

  /** Decodes a shard iterator; fails when it is forged, garbled or expired. */
  Position readIterator(String token) {
    if (token.isEmpty() || token.length() > MAX_ITERATOR_LENGTH) {
      throw KinesisException.validation(
          "shardIterator",
          token.length() > 64 ? token.substring(0, 64) + "..." : token,
          "Member must have length between 1 and " + MAX_ITERATOR_LENGTH);
    }
    Decoded d = decode(token, ITERATOR, "Invalid ShardIterator.");
    long now = clock.millis();
    if (now - d.issued > ttlMillis) {
      throw new KinesisException(
          KinesisError.ExpiredIteratorException,
          "Iterator expired. The iterator was created at time "
              + d.issued
              + " while right now it is "
              + now
              + " which is further in the future than the tolerated delay of "
              + ttlMillis
              + " milliseconds.");
    }
    int slash = d.key.lastIndexOf('/');
    if (slash < 0) {
      throw KinesisException.invalid("Invalid ShardIterator.");
    }
    return new Position(
        d.stream, Long.parseLong(d.key.substring(slash + 1)), d.key.substring(0, slash), d.number);
  }

  /** A ListShards token: continue after {@code lastShardId} of {@code stream}. */
  String shardPage(String stream, String lastShardId) {
    return encode(SHARD_PAGE, stream, lastShardId, 0);
  }

  /** A ListStreams token: continue after stream {@code lastStream}. */
  String streamPage(String lastStream) {
    return encode(STREAM_PAGE, "", lastStream, 0);
  }

  /** Decodes a ListShards token into {stream, lastShardId}. */
  String[] readShardPage(String token) {
    Decoded d = decodePage(token, SHARD_PAGE);
    return new String[] {d.stream, d.key};
  }

  /** Decodes a ListStreams token into the last stream name listed. */
  String readStreamPage(String token) {
    return decodePage(token, STREAM_PAGE).key;
  }

  private Decoded decodePage(String token, byte kind) {
    Decoded d = decode(token, kind, "Invalid NextToken.");
    if (clock.millis() - d.issued > ttlMillis) {
      throw new KinesisException(
          KinesisError.ExpiredNextTokenException, "The NextToken has expired.");
    }
    return d;
  }

  private String encode(byte kind, String stream, String key, long number) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(kind);
      out.writeUTF(stream);
      out.writeUTF(key);
      out.writeLong(number);
      out.writeLong(clock.millis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return signer.sign(bytes.toByteArray());
  }

  private Decoded decode(String token, byte kind, String invalidMessage) {
    byte[] payload = signer.verify(token);
    if (payload == null) {
      throw KinesisException.invalid(invalidMessage);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      if (in.readByte() != kind) {
        throw KinesisException.invalid(invalidMessage);
      }
      return new Decoded(in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
    } catch (IOException e) {
      throw KinesisException.invalid(invalidMessage);
    }
  }

  private record Decoded(String stream, String key, long number, long issued) {}
}
