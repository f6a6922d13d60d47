package dev.sluice.kinesis;

/** Kinesis's error names, sent as {@code __type} with HTTP 400. */
public enum KinesisError {
  /** The stream, shard or record does not exist. */
  ResourceNotFoundException,
  /** The stream is not in a state that allows the request. */
  ResourceInUseException,
  /** A parameter is not acceptable. */
  InvalidArgumentException,
  /** A parameter breaks its declared constraint (length, pattern, range). */
  ValidationException,
  /** A limit would be exceeded. */
  LimitExceededException,
  /** The shard iterator is older than five minutes. */
  ExpiredIteratorException,
  /** The ListShards or ListStreams token is older than five minutes. */
  ExpiredNextTokenException,
  /** The body is not valid JSON or CBOR. */
  SerializationException,
  /** The X-Amz-Target names no Kinesis operation. */
  UnknownOperationException,
  /** A shard takes writes slower than they come (its disk syncs are backed up); retry later. */
  ProvisionedThroughputExceededException,
  /** Something failed inside Sluice. */
  InternalFailureException
}
