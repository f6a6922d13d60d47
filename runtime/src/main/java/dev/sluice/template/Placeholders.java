package dev.sluice.template;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Stand-in values for resources Sluice does not deploy (a DynamoDB table, an SQS queue, ...), so a
 * template that passes one to a function still loads. Ref gives what CloudFormation's Ref gives for
 * the type (a name, a queue URL, a topic ARN) and Fn::GetAtt an ARN in Sluice's region and account;
 * the name in them is the resource's name property when it sets one, else its logical id. Types not
 * listed here give their logical id for Ref and an ARN of their service for Arn.
 */
final class Placeholders {

  /**
   * How one resource type is referred to; {@code {name}}, {@code {region}} and {@code {account}} in
   * the patterns are filled in.
   */
  private record Kind(String nameProperty, String ref, Map<String, String> attributes) {}

  private static final String REGION_ACCOUNT = "{region}:{account}:";

  private static final Map<String, Kind> KINDS =
      Map.ofEntries(
          Map.entry(
              "AWS::DynamoDB::Table",
              new Kind(
                  "TableName",
                  "{name}",
                  Map.of(
                      "Arn",
                      "arn:aws:dynamodb:" + REGION_ACCOUNT + "table/{name}",
                      // the real label is the stream's creation time, unknown here
                      "StreamArn",
                      "arn:aws:dynamodb:"
                          + REGION_ACCOUNT
                          + "table/{name}/stream/1970-01-01T00:00:00.000"))),
          // SAM makes a DynamoDB table of the same logical id
          Map.entry(
              "AWS::Serverless::SimpleTable",
              new Kind(
                  "TableName",
                  "{name}",
                  Map.of("Arn", "arn:aws:dynamodb:" + REGION_ACCOUNT + "table/{name}"))),
          Map.entry(
              "AWS::SQS::Queue",
              new Kind(
                  "QueueName",
                  "https://sqs.{region}.amazonaws.com/{account}/{name}",
                  Map.of(
                      "Arn",
                      "arn:aws:sqs:" + REGION_ACCOUNT + "{name}",
                      "QueueName",
                      "{name}",
                      "QueueUrl",
                      "https://sqs.{region}.amazonaws.com/{account}/{name}"))),
          Map.entry(
              "AWS::SNS::Topic",
              new Kind(
                  "TopicName",
                  "arn:aws:sns:" + REGION_ACCOUNT + "{name}",
                  Map.of(
                      "TopicArn",
                      "arn:aws:sns:" + REGION_ACCOUNT + "{name}",
                      "TopicName",
                      "{name}"))),
          Map.entry(
              "AWS::S3::Bucket",
              new Kind("BucketName", "{name}", Map.of("Arn", "arn:aws:s3:::{name}"))),
          Map.entry(
              "AWS::SecretsManager::Secret",
              new Kind(
                  "Name", "arn:aws:secretsmanager:" + REGION_ACCOUNT + "secret:{name}", Map.of())),
          Map.entry(
              "AWS::IAM::Role",
              new Kind("RoleName", "{name}", Map.of("Arn", "arn:aws:iam::{account}:role/{name}"))),
          Map.entry(
              "AWS::Lambda::Function",
              new Kind(
                  "FunctionName",
                  "{name}",
                  Map.of("Arn", "arn:aws:lambda:" + REGION_ACCOUNT + "function:{name}"))),
          Map.entry(
              "AWS::Logs::LogGroup",
              new Kind(
                  "LogGroupName",
                  "{name}",
                  Map.of("Arn", "arn:aws:logs:" + REGION_ACCOUNT + "log-group:{name}:*"))),
          Map.entry(
              "AWS::Events::EventBus",
              new Kind(
                  "Name",
                  "{name}",
                  Map.of("Arn", "arn:aws:events:" + REGION_ACCOUNT + "event-bus/{name}"))));

  private Placeholders() {}

  /** The property that names a resource of {@code type}; null when Sluice knows none. */
  static String nameProperty(String type) {
    return kind(type).nameProperty();
  }

  /** What Ref of a resource of {@code type} called {@code name} stands for. */
  static String ref(String type, String name, TemplateContext ctx) {
    return fill(kind(type).ref(), name, ctx);
  }

  /** The attributes Sluice has stand-ins for, sorted. */
  static List<String> attributes(String type) {
    return kind(type).attributes().keySet().stream().sorted().toList();
  }

  /** Attribute {@code attribute} of a resource of {@code type}; null when it has no stand-in. */
  static String attribute(String type, String attribute, String name, TemplateContext ctx) {
    String pattern = kind(type).attributes().get(attribute);
    return pattern == null ? null : fill(pattern, name, ctx);
  }

  private static Kind kind(String type) {
    Kind kind = KINDS.get(type);
    return kind != null ? kind : generic(type);
  }

  /** {@code AWS::Service::Thing}: the logical id, and {@code arn:aws:service:...:thing/id}. */
  private static Kind generic(String type) {
    String[] parts = type.split("::");
    String service = parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : "unknown";
    String resource =
        parts.length > 2 ? parts[parts.length - 1].toLowerCase(Locale.ROOT) : "resource";
    String arn = "arn:aws:" + service + ":" + REGION_ACCOUNT + resource + "/{name}";
    return new Kind(null, "{name}", Map.of("Arn", arn));
  }

  private static String fill(String pattern, String name, TemplateContext ctx) {
    return pattern
        .replace("{region}", ctx.region())
        .replace("{account}", ctx.accountId())
        .replace("{name}", name);
  }
}
