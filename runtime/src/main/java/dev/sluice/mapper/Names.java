package dev.sluice.mapper;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Field names and constant values of Lambda's Kinesis event, encoded once: Jackson copies their
 * quoted UTF-8 bytes instead of checking each character of each record for escapes.
 */
final class Names {

  static final SerializableString RECORDS = text("Records");
  static final SerializableString KINESIS = text("kinesis");
  static final SerializableString SCHEMA_VERSION = text("kinesisSchemaVersion");
  static final SerializableString PARTITION_KEY = text("partitionKey");
  static final SerializableString SEQUENCE_NUMBER = text("sequenceNumber");
  static final SerializableString DATA = text("data");
  static final SerializableString ARRIVAL = text("approximateArrivalTimestamp");
  static final SerializableString EVENT_SOURCE = text("eventSource");
  static final SerializableString EVENT_VERSION = text("eventVersion");
  static final SerializableString EVENT_ID = text("eventID");
  static final SerializableString EVENT_NAME = text("eventName");
  static final SerializableString IDENTITY_ARN = text("invokeIdentityArn");
  static final SerializableString REGION = text("awsRegion");
  static final SerializableString SOURCE_ARN = text("eventSourceARN");
  static final SerializableString V1 = text("1.0");
  static final SerializableString AWS_KINESIS = text("aws:kinesis");
  static final SerializableString RECORD_EVENT = text("aws:kinesis:record");

  private Names() {}

  private static SerializableString text(String s) {
    return new SerializedString(s);
  }
}
