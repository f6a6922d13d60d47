package dev.sluice.function.classloader.bridge;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.factories.GsonFactory;
import java.util.Map;

/**
 * The ClientContext a handler gets, read from Invoke's client context JSON as Lambda's Java runtime
 * (aws-lambda-java-runtime-interface-client 2.10.1) reads it: with the serialization library's
 * lenient Gson into fields named as the JSON names them ({@code client}, {@code custom}, {@code
 * env}; the client's {@code installation_id}, {@code app_title}, ...). Members the JSON lacks are
 * null, unknown ones are ignored, and JSON of another shape fails the invocation, as it does there.
 */
final class BridgeClientContext implements ClientContext {

  // Gson fills the fields by name: they are the JSON's names, not Java's.
  private Installation client;
  private Map<String, String> custom;
  private Map<String, String> env;

  private BridgeClientContext() {}

  /** The client context in {@code json}; null for null or empty JSON, as in Lambda. */
  static ClientContext parse(String json) {
    if (json == null || json.isEmpty()) {
      return null;
    }
    // a serializer per call is cheap: the factory's one Gson caches the adapters
    PojoSerializer<BridgeClientContext> serializer =
        GsonFactory.getInstance().getSerializer(BridgeClientContext.class);
    return serializer.fromJson(json);
  }

  @Override
  public Client getClient() {
    return client;
  }

  @Override
  public Map<String, String> getCustom() {
    return custom;
  }

  @Override
  public Map<String, String> getEnvironment() {
    return env;
  }

  /** The mobile client's fields. */
  static final class Installation implements Client {

    private String installation_id;
    private String app_title;
    private String app_version_name;
    private String app_version_code;
    private String app_package_name;

    private Installation() {}

    @Override
    public String getInstallationId() {
      return installation_id;
    }

    @Override
    public String getAppTitle() {
      return app_title;
    }

    @Override
    public String getAppVersionName() {
      return app_version_name;
    }

    @Override
    public String getAppVersionCode() {
      return app_version_code;
    }

    @Override
    public String getAppPackageName() {
      return app_package_name;
    }
  }
}
