package dev.sluice.template;

import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Runtimes;
import dev.sluice.stream.StreamLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads an AWS::Serverless::Function resource with the Globals merged in. */
final class FunctionReader {

  static final List<String> RUNTIMES = Runtimes.RUNNABLE;

  /** SAM function properties that have no meaning in Sluice. */
  static final Set<String> IGNORED =
      Set.of(
          "Role",
          "Policies",
          "Architectures",
          "Tracing",
          "Layers",
          "AutoPublishAlias",
          "AutoPublishAliasAllProperties",
          "AutoPublishCodeSha256",
          "VpcConfig",
          "DeadLetterQueue",
          "DeploymentPreference",
          "EphemeralStorage",
          "EventInvokeConfig",
          "FileSystemConfigs",
          "FunctionUrlConfig",
          "KmsKeyArn",
          "PermissionsBoundary",
          "ProvisionedConcurrencyConfig",
          "RolePath",
          "SnapStart",
          "CodeSigningConfigArn",
          "AssumeRolePolicyDocument",
          "LoggingConfig",
          "RecursiveLoop",
          "RuntimeManagementConfig",
          "VersionDescription",
          "PackageType",
          "PropagateTags",
          "SourceKMSKeyArn",
          "CapacityProviderConfig",
          "FunctionScalingConfig",
          "VersionDeletionPolicy",
          "PublishToLatestPublished",
          "TenancyConfig",
          "DurableConfig");

  static final List<String> SUPPORTED_EVENTS = List.of("Kinesis", "SelfManagedKafka");

  /** Every event type SAM takes. */
  static final List<String> SAM_EVENTS =
      List.of(
          "AlexaSkill",
          "Api",
          "CloudWatchEvent",
          "CloudWatchLogs",
          "Cognito",
          "DocumentDB",
          "DynamoDB",
          "EventBridgeRule",
          "HttpApi",
          "IoTRule",
          "Kinesis",
          "MQ",
          "MSK",
          "S3",
          "SNS",
          "SQS",
          "Schedule",
          "ScheduleV2",
          "SelfManagedKafka");

  /** SAM function properties that give code in other forms, and what they are called. */
  private static final Map<String, String> OTHER_CODE =
      Map.of(
          "InlineCode", "InlineCode is",
          "ImageUri", "container images are",
          "ImageConfig", "container images are");

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  private FunctionReader() {}

  /** Function {@code r}, inheriting from {@code allGlobals} (null for none). */
  static FunctionResource read(Resources.Resource r, Props allGlobals, Scope scope) {
    Props globals = Globals.forFunction(r, allGlobals, scope.problems());
    Node props = r.node().entries.get("Properties");
    Props p = Props.of(props, r.path() + ".Properties", r.node(), scope, globals);
    String name = name(r, p, scope.problems());
    boolean otherCode = p.keys().stream().anyMatch(OTHER_CODE::containsKey);
    Field code = otherCode ? p.field("CodeUri") : p.required("CodeUri");
    CodeUri codeUri =
        code == null ? null : CodeUris.resolve(code, scope.baseDir(), scope.problems());
    String runtime = p.requiredOneOf("Runtime", RUNTIMES);
    boolean provided = runtime != null && runtime.startsWith("provided");
    String handler = provided ? p.string("Handler") : p.requiredString("Handler");
    Integer memory = p.integer("MemorySize", 128, 10_240);
    Integer timeout = p.integer("Timeout", 1, 900);
    Map<String, String> env = environment(p, globals, scope);
    Map<String, String> tags = tags(p, globals, scope);
    Integer reserved =
        p.integer("ReservedConcurrentExecutions", 0, FunctionConfig.MAX_RESERVED_CONCURRENCY);
    String description = p.string("Description");
    checkLambdaModel(p, handler, description, scope.problems());
    SluiceMetadata meta = SluiceMetadata.read(r, scope);
    List<KinesisEventSource> kinesis = new ArrayList<>();
    List<KafkaEventSource> kafka = new ArrayList<>();
    Props events = p.child("Events");
    events(events, name, meta, scope, kinesis, kafka);
    meta.checkEvents(events.keys(), scope.problems());
    refuseOtherCode(p, scope.problems());
    p.finish(IGNORED);
    return new FunctionResource(
        r.id(),
        name,
        codeUri,
        handler,
        runtime,
        memory == null ? 128 : memory,
        timeout == null ? 3 : timeout,
        env,
        reserved,
        description,
        isolation(meta, runtime, scope.problems()),
        List.copyOf(kinesis),
        List.copyOf(kafka),
        tags,
        Resources.retained(r, "a function", scope.problems()),
        Resources.retainedOnReplace(r, "a function", scope.problems()));
  }

  private static String isolation(SluiceMetadata meta, String runtime, Problems problems) {
    meta.checkIsolation(runtime, problems);
    return meta.isolation(runtime);
  }

  /** SAM's other ways to give code, which Sluice cannot run; it runs CodeUri only. */
  private static void refuseOtherCode(Props p, Problems problems) {
    for (Map.Entry<String, String> e : OTHER_CODE.entrySet()) {
      if (p.keys().contains(e.getKey())) {
        problems.errorAtKey(
            p.path() + "." + e.getKey(),
            p.raw(e.getKey()),
            e.getValue()
                + " not supported by Sluice; give the code as CodeUri (a jar, a zip or a"
                + " directory)");
      }
    }
  }

  /** Handler and Description within Lambda's model, which would refuse them at deploy time. */
  private static void checkLambdaModel(
      Props p, String handler, String description, Problems problems) {
    if (handler != null && !FunctionConfig.HANDLER.matcher(handler).matches()) {
      Field f = p.field("Handler");
      problems.error(f.path(), f.node(), "Handler must be 1-128 characters without white space");
    }
    if (description != null && description.length() > FunctionConfig.MAX_DESCRIPTION_CHARS) {
      Field f = p.field("Description");
      problems.error(
          f.path(),
          f.node(),
          "Description must be at most "
              + FunctionConfig.MAX_DESCRIPTION_CHARS
              + " characters, not "
              + description.length());
    }
  }

  private static String name(Resources.Resource r, Props p, Problems problems) {
    Field f = p.field("FunctionName");
    if (f == null) {
      if (!NAME.matcher(r.id()).matches()) { // AWS would make one up; Sluice names it by its id
        problems.error(
            r.path(),
            r.node(),
            r.id()
                + " is too long to be the function's name (at most 64 characters): give it a"
                + " FunctionName");
      }
      return r.id();
    }
    String name = Values.string(f, problems);
    if (name != null && !NAME.matcher(name).matches()) {
      problems.error(
          f.path(), f.node(), name + " is not a valid function name (1-64 of a-z A-Z 0-9 - _)");
    }
    return name;
  }

  /**
   * Environment, merged with Globals' as SAM merges: two mappings key by key, anything else
   * replacing the global value whole. An intrinsic function counts as a plain value there, so a
   * function's {@code Environment: !If [...]} replaces the global Environment, and a function's
   * variable set to AWS::NoValue (or null) removes the global one.
   */
  private static Map<String, String> environment(Props p, Props globals, Scope scope) {
    Map<String, String> env = new LinkedHashMap<>();
    Props local = p.child("Environment");
    Props global = inherited(globals, p, "Environment");
    Props globalVariables = inherited(global, local, "Variables");
    if (globalVariables != null) {
      variables(globalVariables, env, scope);
    }
    if (global != null) {
      global.finish(Set.of());
    }
    variables(local.child("Variables"), env, scope);
    local.finish(Set.of());
    int size = FunctionConfig.utf8Bytes(FunctionConfig.environmentJson(env));
    if (size > FunctionConfig.MAX_ENVIRONMENT_BYTES) {
      // Lambda's limit, which CreateFunction would refuse half way through the deploy
      Node at = p.raw("Environment");
      scope
          .problems()
          .error(
              p.path() + ".Environment",
              at != null ? at : p.holder(),
              "variables exceed Lambda's 4 KB (" + size + " bytes written as a JSON object)");
    }
    return env;
  }

  /** Tag keys SAM sets itself and refuses in a template. */
  private static final Set<String> SAM_RESERVED_TAGS =
      Set.of(
          FunctionResource.CREATED_BY.getKey(),
          "serverlessrepo:applicationId",
          "serverlessrepo:semanticVersion");

  /**
   * Tags, Globals' merged key by key as SAM merges maps, plus the {@code lambda:createdBy: SAM} tag
   * SAM adds. A key Lambda would refuse (empty, over 128 characters, {@code aws:...}) or a value
   * over 256 characters is an error at its key.
   */
  private static Map<String, String> tags(Props p, Props globals, Scope scope) {
    Map<String, String> tags = new LinkedHashMap<>();
    Props global = inherited(globals, p, "Tags");
    if (global != null) {
      tagValues(global, tags, scope.problems());
      global.finish(Set.of());
    }
    Props local = p.child("Tags");
    tagValues(local, tags, scope.problems());
    local.finish(Set.of());
    tags.put(FunctionResource.CREATED_BY.getKey(), FunctionResource.CREATED_BY.getValue());
    checkTagCount(p, tags, scope.problems());
    return tags;
  }

  /** SAM's own tag counts against Lambda's limit, so a template may give a function one less. */
  private static void checkTagCount(Props p, Map<String, String> tags, Problems problems) {
    if (tags.size() <= FunctionConfig.MAX_TAGS) {
      return;
    }
    Node at = p.raw("Tags") != null ? p.raw("Tags") : p.holder();
    problems.errorAtKey(
        p.path() + ".Tags",
        at,
        "gives the function "
            + (tags.size() - 1)
            + " tags; Lambda takes "
            + FunctionConfig.MAX_TAGS
            + ", and SAM adds lambda:createdBy, so at most "
            + (FunctionConfig.MAX_TAGS - 1)
            + " (Globals' included)");
  }

  private static void tagValues(Props props, Map<String, String> tags, Problems problems) {
    for (String key : props.keys()) {
      Field f = props.field(key);
      String value = f == null ? null : Values.string(f, problems);
      String where = props.path() + "." + key;
      if (key.isEmpty() || key.length() > 128 || key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
        problems.errorAtKey(
            where,
            props.raw(key),
            "is not a tag key Lambda takes: 1 to 128 characters, not starting with aws:");
      } else if (SAM_RESERVED_TAGS.contains(key)) {
        problems.errorAtKey(
            where, props.raw(key), "is a tag key SAM reserves; it cannot be set on a function");
      } else if (key.startsWith(StreamLimits.SLUICE_TAG_PREFIX)) {
        // sluice:isolation is a setting (Metadata.Sluice.Isolation here), sluice:stack the deploy's
        problems.errorAtKey(
            where, props.raw(key), "is Sluice's own: tag keys starting with sluice: are not tags");
      } else if (value != null && value.length() > 256) {
        problems.error(where, f.node(), "is longer than the 256 characters a tag value may have");
      } else if (value != null) {
        tags.put(key, value);
      } else if (f == null) {
        tags.remove(key); // AWS::NoValue removes a global tag
      }
    }
  }

  /**
   * The mapping {@code key} of {@code globals} when the function's own value (in {@code local})
   * merges into it, as it does when absent or a mapping too; null when there is none or the
   * function's value replaces it.
   */
  private static Props inherited(Props globals, Props local, String key) {
    Node global = globals == null ? null : globals.raw(key);
    Node own = local.raw(key);
    if (global == null || (own != null && !(plainMap(global) && plainMap(own)))) {
      return null;
    }
    return globals.child(key);
  }

  /** A mapping written as one, not an intrinsic function: SAM merges such a value with Globals'. */
  static boolean plainMap(Node n) {
    return n.isMap() && n.functionName() == null;
  }

  private static void variables(Props vars, Map<String, String> env, Scope scope) {
    for (String key : vars.keys()) {
      checkVariableName(vars, key, scope.problems());
      Field f = vars.field(key);
      String value = f == null ? null : Values.string(f, scope.problems());
      if (value != null && value.indexOf('\u0000') >= 0) {
        scope.problems().error(vars.path() + "." + key, f.node(), "holds a NUL character");
      } else if (value != null) {
        env.put(key, value);
      } else if (f == null) {
        env.remove(key);
      }
    }
  }

  /**
   * Lambda refuses these names when the function is deployed, without saying where they came from;
   * a template error says where they are.
   */
  private static void checkVariableName(Props vars, String key, Problems problems) {
    if (!FunctionConfig.ENVIRONMENT_NAME.matcher(key).matches()) {
      problems.errorAtKey(
          vars.path() + "." + key,
          vars.raw(key),
          "is not a valid Lambda environment variable name: it must be a letter followed by one"
              + " or more letters, digits or underscores");
    } else if (FunctionConfig.RESERVED_ENVIRONMENT.contains(key)) {
      problems.errorAtKey(
          vars.path() + "." + key, vars.raw(key), "is reserved by Lambda and cannot be set");
    }
  }

  private static void events(
      Props events,
      String functionName,
      SluiceMetadata meta,
      Scope scope,
      List<KinesisEventSource> kinesis,
      List<KafkaEventSource> kafka) {
    for (String id : events.keys()) {
      if (!TemplateReader.LOGICAL_ID.matcher(id).matches()) {
        // SAM makes each event a resource whose logical id is the function's and this one's
        scope
            .problems()
            .errorAtKey(
                events.path() + "." + id,
                events.raw(id),
                "logical ids must be alphanumeric (A-Z a-z 0-9)");
      }
      Props event = events.child(id);
      String type = eventType(event, scope.problems());
      Props props = event.child("Properties");
      event.finish(Set.of());
      if (type == null) {
        continue;
      }
      if (!event.has("Properties")) {
        scope.problems().errorAtKey(event.path() + ".Properties", event.holder(), "is required");
        continue;
      }
      if (type.equals("Kinesis")) {
        meta.requireKafka(id, scope.problems());
        KinesisEventSource read =
            KinesisEventReader.read(
                id, props, functionName, meta.metadataOnly(id), meta.onFailure(id), scope);
        Destinations.check(
            read.request().onFailure(), read.streamArn(), false, meta, id, props, scope);
        requireOtherStream(read, kinesis, props, scope.problems());
        kinesis.add(read);
      } else {
        KafkaEventSource read = KafkaEventReader.read(id, props, meta, scope);
        String topic =
            read.topics() == null || read.topics().isEmpty() ? null : read.topics().get(0);
        Destinations.check(
            read.onFailure(),
            topic == null ? null : "kafka://" + topic,
            true,
            meta,
            id,
            props,
            scope);
        requireOtherTopic(read, kafka, props, scope.problems());
        kafka.add(read);
      }
    }
  }

  /**
   * A deploy tells a function's Kafka mappings apart by bootstrap servers and topic: a second event
   * on the same ones would be created again at every deploy (or refused for its consumer group).
   */
  private static void requireOtherTopic(
      KafkaEventSource read, List<KafkaEventSource> before, Props props, Problems problems) {
    for (KafkaEventSource other : before) {
      if (sameSource(read, other)) {
        problems.error(
            props.path() + ".Topics",
            props.raw("Topics"),
            "event "
                + other.logicalId()
                + " of this function reads this topic from these bootstrap servers already: give"
                + " the function one event per topic");
      }
    }
  }

  private static boolean sameSource(KafkaEventSource a, KafkaEventSource b) {
    return a.topics() != null
        && b.topics() != null
        && !a.topics().isEmpty()
        && a.topics().equals(b.topics())
        && a.bootstrapServers() != null
        && b.bootstrapServers() != null
        && new java.util.TreeSet<>(a.bootstrapServers())
            .equals(new java.util.TreeSet<>(b.bootstrapServers()));
  }

  /**
   * Lambda keeps one mapping per function and stream (a second is a ResourceConflictException), and
   * a redeploy could not tell two apart.
   */
  private static void requireOtherStream(
      KinesisEventSource read, List<KinesisEventSource> before, Props props, Problems problems) {
    for (KinesisEventSource other : before) {
      if (read.streamArn() != null && read.streamArn().equals(other.streamArn())) {
        problems.error(
            props.path() + ".Stream",
            props.raw("Stream"),
            "event "
                + other.logicalId()
                + " of this function reads this stream already: Lambda allows one mapping per"
                + " function and stream");
      }
    }
  }

  /**
   * The event's type when Sluice runs it; null after an error, or after a warning for a type SAM
   * takes that Sluice skips: the rest of the template still runs here, and AWS still gets it.
   */
  private static String eventType(Props event, Problems problems) {
    Field f = event.required("Type");
    String type = f == null ? null : Values.string(f, problems);
    if (type == null || SUPPORTED_EVENTS.contains(type)) {
      return type;
    }
    if (SAM_EVENTS.contains(type)) {
      problems.warn(
          f.path(),
          f.node(),
          "event type "
              + type
              + " is not supported by Sluice (skipped; it runs "
              + String.join(" and ", SUPPORTED_EVENTS)
              + ")");
    } else {
      problems.error(f.path(), f.node(), type + " is not one of " + String.join(", ", SAM_EVENTS));
    }
    return null;
  }
}
