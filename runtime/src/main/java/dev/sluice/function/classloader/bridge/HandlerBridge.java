package dev.sluice.function.classloader.bridge;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.CustomPojoSerializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.function.Consumer;

/**
 * One warm handler instance, living inside a function's isolated class world: it is defined by the
 * platform loader (aws-lambda-java-core and -serialization only), never by Sluice's own, and must
 * therefore use nothing but the JDK and those two libraries. Sluice talks to it through {@link
 * #invoke} with JDK types only.
 *
 * <p>Construction is the cold start: it loads the handler class (running its static initialisers),
 * creates the instance and prepares the serializers, as Lambda's Java runtime does before the first
 * event.
 */
public final class HandlerBridge {

  static {
    RuntimeLogger.install();
  }

  private final Object instance;
  private final Method method;
  private final Shape shape;
  private final Serde input;
  private final Serde output;
  private final EventFactory direct;
  private final boolean eventsLibraryInput;

  /** Resolves {@code handler} with Lambda's rules and creates the handler instance. */
  public HandlerBridge(ClassLoader functionLoader, String handler) throws Throwable {
    HandlerMethod resolved = HandlerMethod.resolve(functionLoader, handler);
    this.method = resolved.method();
    this.shape = resolved.shape();
    this.instance =
        Modifier.isStatic(method.getModifiers()) ? null : newInstance(resolved.handlerClass());
    // looked up for the POJO shapes only, as Lambda's runtime does
    CustomPojoSerializer custom =
        shape.takesEvent() || shape.returnsValue() ? Serde.custom(functionLoader) : null;
    this.input =
        shape.takesEvent() ? Serde.forType(resolved.inputType(), functionLoader, custom) : null;
    this.output =
        shape.returnsValue() ? Serde.forType(resolved.outputType(), functionLoader, custom) : null;
    // a function's own serializer reads its events too, so they come as JSON
    this.direct = shape.takesEvent() && custom == null ? directFactory(resolved.inputType()) : null;
    this.eventsLibraryInput = shape.takesEvent() && isBuiltEvent(resolved.inputType());
  }

  private static boolean isBuiltEvent(Type type) {
    return type instanceof Class<?> c
        && (c.getName().equals(KinesisEventFactory.EVENT)
            || c.getName().equals(KafkaEventFactory.EVENT));
  }

  /**
   * Called once the instance is closed: lets go of what shared caches hold of its classes, so that
   * its class loader can be collected.
   */
  public void release() {
    Serde.forgetSharedTypes();
  }

  /**
   * How a handler taking a plain KinesisEvent or KafkaEvent gets it: {@code bytecode} (Sluice's
   * builder linked against the function's events library), {@code handles} (it did not, method
   * handles did) or {@code json} (neither did: the event is parsed from JSON, as for any other
   * type); null when the handler takes something else.
   */
  public String eventBuilder() {
    if (direct != null) {
      return direct.direct() ? "bytecode" : "handles";
    }
    return eventsLibraryInput ? "json" : null;
  }

  private static EventFactory directFactory(Type type) {
    EventFactory kinesis = KinesisEventFactory.forType(type);
    return kinesis != null ? kinesis : KafkaEventFactory.forType(type);
  }

  /**
   * The events-library class whose batches {@link #invoke} accepts as objects ({@link
   * KinesisLayout} for a plain KinesisEvent, {@link KafkaLayout} for a plain KafkaEvent), built
   * without going through JSON; null when the handler takes anything else.
   */
  public String directEventType() {
    return direct == null ? null : direct.eventType();
  }

  /**
   * Runs the handler on one event: {@code batch} when it is given (only laid out for {@link
   * #directEventType}), the JSON {@code event} otherwise. {@code clientContext} is Invoke's client
   * context as JSON (null: none); JSON the Java runtime cannot read as a ClientContext fails the
   * invocation before the handler runs, as in Lambda. Whatever the handler throws is thrown
   * unchanged; Sluice turns it into Lambda's error body.
   */
  public byte[] invoke(
      byte[] event,
      Object[] batch,
      String requestId,
      String functionName,
      String functionVersion,
      String functionArn,
      int memoryLimitMb,
      long deadlineMillis,
      String logGroup,
      String logStream,
      String clientContext,
      Consumer<String> log)
      throws Throwable {
    Context context =
        new BridgeContext(
            requestId,
            functionName,
            functionVersion,
            functionArn,
            memoryLimitMb,
            deadlineMillis,
            logGroup,
            logStream,
            BridgeClientContext.parse(clientContext),
            log);
    try {
      return call(event, batch, context);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private byte[] call(byte[] event, Object[] batch, Context context) throws Throwable {
    if (shape == Shape.STREAM) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = new ByteArrayInputStream(event);
      if (method.getParameterCount() == 3) {
        method.invoke(instance, in, out, context);
      } else {
        method.invoke(instance, in, out);
      }
      return out.toByteArray();
    }
    Object arg = batch != null ? direct.build(batch) : input == null ? null : parse(event, context);
    Object result = method.invoke(instance, shape.arguments(arg, context, method));
    return output == null ? new byte[0] : serialize(result, context);
  }

  /** The event as the handler takes it; failing, Lambda's Java runtime's error. */
  private Object parse(byte[] event, Context context) {
    try {
      return input.read(event);
    } catch (Throwable t) { // as the runtime: whatever failed, the event did not fit
      throw logged(new RuntimeException("An error occurred during JSON parsing", t), context);
    }
  }

  private byte[] serialize(Object result, Context context) {
    try {
      return output.write(result);
    } catch (Throwable t) {
      throw logged(
          new RuntimeException("An error occurred during JSON serialization of response", t),
          context);
    }
  }

  /**
   * {@code e}, its trace written to the invocation's log first: the error body names only the
   * wrapper, and the reason (which field, which type) is in its cause, which Lambda logs too.
   */
  private static RuntimeException logged(RuntimeException e, Context context) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    context.getLogger().log(trace.toString());
    return e;
  }

  private static Object newInstance(Class<?> type) throws Throwable {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new NoSuchMethodException(
          "Class " + type.getName() + " has no public no-argument constructor");
    } catch (InvocationTargetException e) {
      throw e.getCause(); // what the handler's constructor threw, Errors included
    }
  }

  /** The ways a handler method can take its event, as Lambda's Java runtime accepts them. */
  enum Shape {
    /** {@code (InputStream, OutputStream[, Context])}. */
    STREAM,
    /** {@code ()} */
    NONE,
    /** {@code (Context)} */
    CONTEXT,
    /** {@code (T)} */
    EVENT,
    /** {@code (T, Context)} */
    EVENT_CONTEXT;

    boolean takesEvent() {
      return this == EVENT || this == EVENT_CONTEXT;
    }

    boolean returnsValue() {
      return this != STREAM;
    }

    Object[] arguments(Object event, Context context, Method m) {
      return switch (this) {
        case NONE -> new Object[0];
        case CONTEXT -> new Object[] {context};
        case EVENT -> new Object[] {event};
        case EVENT_CONTEXT -> new Object[] {event, context};
        case STREAM -> throw new IllegalStateException("stream handlers take streams");
      };
    }

    static Shape of(Method m) {
      Class<?>[] p = m.getParameterTypes();
      boolean lastIsContext = p.length > 0 && p[p.length - 1] == Context.class;
      if (p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class) {
        return STREAM;
      }
      return switch (p.length) {
        case 0 -> NONE;
        case 1 -> lastIsContext ? CONTEXT : EVENT;
        default -> EVENT_CONTEXT;
      };
    }
  }
}
