package dev.sluice.function.classloader;

import java.nio.charset.StandardCharsets;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites a handler class's calls to {@code System.exit(int)}, {@code Runtime.exit(int)} and
 * {@code Runtime.halt(int)} into calls to the instance's {@code ExitTrap}: in classloader isolation
 * the handler shares the node's JVM, and one exit would stop every stream, mapping and function on
 * it. {@code Runtime.addShutdownHook} and {@code removeShutdownHook} go there too, so that the
 * hooks belong to the instance rather than to the node's JVM. The replacements take the same
 * operands and return nothing, so the stack and its frames stay as they were and nothing needs
 * recomputing. Method references and method-handle constants to them are redirected too; calls made
 * through reflection or handles looked up at run time are not caught.
 */
final class ExitCalls {

  static final String TRAP = PlatformLoader.TRAP_PACKAGE.replace('.', '/') + "ExitTrap";

  private static final byte[] EXIT = "exit".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HALT = "halt".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HOOK = "ShutdownHook".getBytes(StandardCharsets.US_ASCII);

  private ExitCalls() {}

  /**
   * Whether the class file may call one of them: its constant pool then holds the method's name.
   * Most classes do not, and are defined without being parsed.
   */
  static boolean mayCallTrapped(byte[] classFile) {
    return contains(classFile, EXIT) || contains(classFile, HALT) || contains(classFile, HOOK);
  }

  /** The class with every such call sent to the trap (the same bytes when it has none). */
  static byte[] rewrite(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, 0);
    Rewriter rewriter = new Rewriter(writer);
    reader.accept(rewriter, 0);
    return rewriter.changed ? writer.toByteArray() : classFile;
  }

  private static boolean contains(byte[] bytes, byte[] word) {
    outer:
    for (int i = 0, last = bytes.length - word.length; i <= last; i++) {
      for (int j = 0; j < word.length; j++) {
        if (bytes[i + j] != word[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static final class Rewriter extends ClassVisitor {
    boolean changed;

    Rewriter(ClassVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String descriptor, String signature, String[] exceptions) {
      MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
      return new MethodVisitor(Opcodes.ASM9, next) {
        @Override
        public void visitMethodInsn(
            int opcode, String owner, String method, String desc, boolean isInterface) {
          String trapped = trapped(opcode, owner, method, desc);
          if (trapped == null) {
            super.visitMethodInsn(opcode, owner, method, desc, isInterface);
            return;
          }
          changed = true;
          super.visitMethodInsn(Opcodes.INVOKESTATIC, TRAP, method, trapped, false);
        }

        @Override
        public void visitInvokeDynamicInsn(
            String name, String desc, Handle bootstrap, Object... bootstrapArgs) {
          Object[] args = bootstrapArgs.clone();
          for (int i = 0; i < args.length; i++) {
            args[i] = handleOrSame(args[i]);
          }
          super.visitInvokeDynamicInsn(name, desc, bootstrap, args);
        }

        @Override
        public void visitLdcInsn(Object value) {
          super.visitLdcInsn(handleOrSame(value));
        }
      };
    }

    /**
     * A method reference ({@code System::exit}, {@code runtime::halt}) or handle constant to an
     * exit call, turned into one to the trap. The metafactory passes a bound receiver to a static
     * method as its first argument, which is what the trap's Runtime variants take.
     */
    private Object handleOrSame(Object value) {
      if (!(value instanceof Handle h)) {
        return value;
      }
      int opcode =
          switch (h.getTag()) {
            case Opcodes.H_INVOKESTATIC -> Opcodes.INVOKESTATIC;
            case Opcodes.H_INVOKEVIRTUAL -> Opcodes.INVOKEVIRTUAL;
            default -> -1;
          };
      String trapped = trapped(opcode, h.getOwner(), h.getName(), h.getDesc());
      if (trapped == null) {
        return value;
      }
      changed = true;
      return new Handle(Opcodes.H_INVOKESTATIC, TRAP, h.getName(), trapped, false);
    }

    /** The trap's descriptor for a trapped call, or null for any other call. */
    private static String trapped(int opcode, String owner, String method, String desc) {
      if (opcode == Opcodes.INVOKEVIRTUAL
          && owner.equals("java/lang/Runtime")
          && desc.startsWith("(Ljava/lang/Thread;)")
          && (method.equals("addShutdownHook") || method.equals("removeShutdownHook"))) {
        return "(Ljava/lang/Runtime;" + desc.substring(1); // the receiver as first argument
      }
      if (!desc.equals("(I)V")) {
        return null;
      }
      if (opcode == Opcodes.INVOKESTATIC
          && owner.equals("java/lang/System")
          && method.equals("exit")) {
        return "(I)V";
      }
      if (opcode == Opcodes.INVOKEVIRTUAL
          && owner.equals("java/lang/Runtime")
          && (method.equals("exit") || method.equals("halt"))) {
        return "(Ljava/lang/Runtime;I)V"; // the receiver becomes the first argument
      }
      return null;
    }
  }
}
