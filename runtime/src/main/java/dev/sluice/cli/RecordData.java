package dev.sluice.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Shows record data as text when it is UTF-8, and as base64 otherwise. */
final class RecordData {

  private RecordData() {}

  static String text(String base64) {
    byte[] raw = Base64.getDecoder().decode(base64);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      return "base64:" + base64;
    }
  }
}
