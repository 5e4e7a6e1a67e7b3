package dev.forensics.instrument;

import dev.forensics.instrument.Hook.Arg;
import dev.forensics.instrument.Hook.Call;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Weaves one {@link Hook} into one method, the way Byte Buddy inlines advice but with nothing to load: the entry call
 * before the original code; every return turned into a jump to one exit block after it, which calls the exit hook
 * and returns the saved value; and, for hooks that watch failures, one catch-all handler over the original code that
 * calls the hook and rethrows. Every woven call sits in a {@code try/catch Throwable} that hands the failure to
 * {@code AdviceErrors.record(t, feature)}, so a broken hook can never reach the application.
 *
 * <p>Frames are written from what is known without analysis: the method's parameters keep their declared types
 * (javac and kotlinc never store another type into a parameter slot), and the slots this weaver adds lie past every
 * slot the original code uses. The original frames are read expanded and get the entry's saved value appended.
 */
final class MethodWeaver extends MethodVisitor {
    static final String ADVICE_ERRORS = "dev/forensics/bootstrap/AdviceErrors";
    private static final Object[] NO_STACK = {};
    private static final Object[] THROWABLE = {"java/lang/Throwable"};

    private final Hook hook;
    private final boolean isStatic;
    private final boolean frames;
    private final Type[] params;
    private final Type returnType;
    private final List<Object> initialLocals = new ArrayList<>();
    private final int firstFree;
    private final int enterSlot;
    private final int savedSlot;
    private final int thrownSlot;
    private final int maxLocalsAfter;

    private final Label bodyStart = new Label();
    private final Label bodyEnd = new Label();
    private final Label exitBlock = new Label();
    private boolean sawReturn;
    private boolean framePending;

    /**
     * @param freeSlot the first local slot the original method (and any weaver before this one) leaves unused
     * @param frames   whether the class carries stack map frames (class files of version 50 and later)
     */
    MethodWeaver(
            MethodVisitor mv, Hook hook, String owner, int access, String descriptor, int freeSlot, boolean frames) {
        super(Opcodes.ASM9, mv);
        this.hook = hook;
        this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
        this.frames = frames;
        this.params = Type.getArgumentTypes(descriptor);
        this.returnType = Type.getReturnType(descriptor);
        if (!isStatic) {
            initialLocals.add(owner);
        }
        for (Type t : params) {
            initialLocals.add(frameType(t));
        }
        this.firstFree = freeSlot;
        this.enterSlot = freeSlot;
        this.savedSlot = freeSlot + 1;
        this.thrownSlot = freeSlot + 3;
        this.maxLocalsAfter = freeSlot + 4;
    }

    /** Slots one weaver adds: the entry value, a saved return value (two for long/double), the exception. */
    static int slotsUsed() {
        return 4;
    }

    private boolean keepsEntered() {
        return hook.enter() != null && hook.enter().returnsValue();
    }

    private boolean weavesReturn() {
        return hook.exit() != null && hook.exitWhen() != Hook.Exit.THROW;
    }

    private boolean weavesThrow() {
        return hook.exit() != null && hook.exitWhen() != Hook.Exit.RETURN;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        if (hook.enter() != null) {
            Label start = new Label();
            Label end = new Label();
            Label handler = new Label();
            super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
            if (keepsEntered()) { // assigned before the try, so the handler's frame may name it
                super.visitInsn(Opcodes.ACONST_NULL);
                super.visitVarInsn(Opcodes.ASTORE, enterSlot);
            }
            super.visitLabel(start);
            push(hook.enter(), Site.ENTRY);
            super.visitMethodInsn(
                    Opcodes.INVOKESTATIC,
                    hook.enter().owner(),
                    hook.enter().name(),
                    hook.enter().descriptor(),
                    false);
            if (keepsEntered()) {
                super.visitVarInsn(Opcodes.ASTORE, enterSlot);
            }
            super.visitLabel(end);
            Label after = new Label();
            super.visitJumpInsn(Opcodes.GOTO, after);
            super.visitLabel(handler);
            frame(locals(false, false), THROWABLE);
            recordFailure();
            super.visitLabel(after);
            // The handler jumps back here, so this offset needs a frame, unless the original code has one at its
            // first instruction (a loop head), which then serves: two frames at one offset are not allowed.
            framePending = frames;
        }
        super.visitLabel(bodyStart);
    }

    private void flushFrame() {
        if (framePending) {
            framePending = false;
            frame(locals(false, false), NO_STACK);
        }
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        framePending = false;
        if (!keepsEntered() || type != Opcodes.F_NEW) {
            super.visitFrame(type, numLocal, local, numStack, stack);
            return;
        }
        List<Object> l = new ArrayList<>(numLocal + 4);
        int slot = 0;
        for (int i = 0; i < numLocal; i++) {
            l.add(local[i]);
            slot += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
        }
        while (slot < enterSlot) {
            l.add(Opcodes.TOP);
            slot++;
        }
        l.add("java/lang/Object");
        super.visitFrame(Opcodes.F_NEW, l.size(), l.toArray(), numStack, stack);
    }

    @Override
    public void visitInsn(int opcode) {
        flushFrame();
        if (weavesReturn() && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
            sawReturn = true;
            if (opcode != Opcodes.RETURN) {
                super.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), savedSlot);
            }
            super.visitJumpInsn(Opcodes.GOTO, exitBlock);
            return;
        }
        super.visitInsn(opcode);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        flushFrame();
        super.visitLabel(bodyEnd);
        if (weavesReturn() && sawReturn) {
            emitExitBlock();
        }
        if (weavesThrow()) {
            emitThrowHandler();
        }
        int stack = 2;
        for (Call c : new Call[] {hook.enter(), hook.exit()}) {
            if (c != null) {
                int s = 0;
                for (Arg a : c.args()) {
                    s += Type.getType(a.type()).getSize() + (a.kind() == Arg.Kind.FIELD ? 1 : 0);
                }
                stack = Math.max(stack, s + 1);
            }
        }
        super.visitMaxs(Math.max(maxStack, stack), Math.max(maxLocals, maxLocalsAfter));
    }

    /** Every return jumped here with its value saved: call the hook, then return the value. */
    private void emitExitBlock() {
        boolean saved = returnType.getSort() != Type.VOID;
        Object[] locals = locals(saved, false);
        super.visitLabel(exitBlock);
        frame(locals, NO_STACK);
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        super.visitLabel(start);
        push(hook.exit(), Site.RETURN);
        super.visitMethodInsn(
                Opcodes.INVOKESTATIC,
                hook.exit().owner(),
                hook.exit().name(),
                hook.exit().descriptor(),
                false);
        super.visitLabel(end);
        Label ret = new Label();
        super.visitLabel(ret);
        frame(locals, NO_STACK);
        if (saved) {
            super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), savedSlot);
        }
        super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
        super.visitLabel(handler);
        frame(locals, THROWABLE);
        recordFailure();
        super.visitJumpInsn(Opcodes.GOTO, ret);
    }

    /** The original code threw: call the hook with the exception, then rethrow it unchanged. */
    private void emitThrowHandler() {
        Label handler = new Label();
        super.visitTryCatchBlock(bodyStart, bodyEnd, handler, null);
        super.visitLabel(handler);
        frame(locals(false, false), THROWABLE);
        super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
        Object[] withThrown = locals(false, true);
        Label start = new Label();
        Label end = new Label();
        Label failed = new Label();
        super.visitTryCatchBlock(start, end, failed, "java/lang/Throwable");
        super.visitLabel(start);
        push(hook.exit(), Site.THROW);
        super.visitMethodInsn(
                Opcodes.INVOKESTATIC,
                hook.exit().owner(),
                hook.exit().name(),
                hook.exit().descriptor(),
                false);
        super.visitLabel(end);
        Label rethrow = new Label();
        super.visitLabel(rethrow);
        frame(withThrown, NO_STACK);
        super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
        super.visitInsn(Opcodes.ATHROW);
        super.visitLabel(failed);
        frame(withThrown, THROWABLE);
        recordFailure();
        super.visitJumpInsn(Opcodes.GOTO, rethrow);
    }

    /** Stack: the hook's exception. Hands it to AdviceErrors, which disables the feature and says so once. */
    private void recordFailure() {
        super.visitIntInsn(Opcodes.BIPUSH, hook.feature());
        super.visitMethodInsn(Opcodes.INVOKESTATIC, ADVICE_ERRORS, "record", "(Ljava/lang/Throwable;I)V", false);
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
        flushFrame();
        super.visitVarInsn(opcode, varIndex);
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
        flushFrame();
        super.visitIincInsn(varIndex, increment);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        flushFrame();
        super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        flushFrame();
        super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        flushFrame();
        super.visitFieldInsn(opcode, owner, name, descriptor);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        flushFrame();
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... bsmArgs) {
        flushFrame();
        super.visitInvokeDynamicInsn(name, descriptor, bsm, bsmArgs);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
        flushFrame();
        super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
        flushFrame();
        super.visitLdcInsn(value);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        flushFrame();
        super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        flushFrame();
        super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
        flushFrame();
        super.visitMultiANewArrayInsn(descriptor, numDimensions);
    }

    private enum Site {
        ENTRY,
        RETURN,
        THROW
    }

    private void push(Call call, Site site) {
        for (Arg a : call.args()) {
            switch (a.kind()) {
                case THIS:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    break;
                case PARAM: {
                    Type t = params[a.index()];
                    super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), paramSlot(a.index()));
                    break;
                }
                case FIELD:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitFieldInsn(
                            Opcodes.GETFIELD,
                            a.fieldOwner() != null ? a.fieldOwner() : hook.owner(),
                            a.name(),
                            a.fieldType());
                    break;
                case RETURNED:
                    if (site == Site.RETURN) {
                        super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), savedSlot);
                    } else {
                        pushDefault(Type.getType(a.type()));
                    }
                    break;
                case THROWN:
                    if (site == Site.THROW) {
                        super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                    } else {
                        super.visitInsn(Opcodes.ACONST_NULL);
                    }
                    break;
                case ENTERED:
                    super.visitVarInsn(Opcodes.ALOAD, enterSlot);
                    break;
                case CONSTANT:
                    super.visitLdcInsn(a.index());
                    break;
                default:
                    throw new IllegalStateException(a.kind().name());
            }
        }
    }

    private void pushDefault(Type t) {
        switch (t.getSort()) {
            case Type.LONG:
                super.visitInsn(Opcodes.LCONST_0);
                break;
            case Type.FLOAT:
                super.visitInsn(Opcodes.FCONST_0);
                break;
            case Type.DOUBLE:
                super.visitInsn(Opcodes.DCONST_0);
                break;
            case Type.OBJECT:
            case Type.ARRAY:
                super.visitInsn(Opcodes.ACONST_NULL);
                break;
            default:
                super.visitInsn(Opcodes.ICONST_0);
        }
    }

    private int paramSlot(int index) {
        int slot = isStatic ? 0 : 1;
        for (int i = 0; i < index; i++) {
            slot += params[i].getSize();
        }
        return slot;
    }

    /** The parameters, then TOP up to the slots this weaver uses that are live at that point. */
    private Object[] locals(boolean saved, boolean thrown) {
        List<Object> l = new ArrayList<>(initialLocals);
        int slot = paramSlot(params.length);
        if (keepsEntered() || saved || thrown) {
            while (slot < enterSlot) {
                l.add(Opcodes.TOP);
                slot++;
            }
            l.add(keepsEntered() ? "java/lang/Object" : Opcodes.TOP);
            slot++;
        }
        if (saved || thrown) {
            l.add(saved ? frameType(returnType) : Opcodes.TOP);
            slot += saved ? returnType.getSize() : 1;
        }
        if (thrown) {
            while (slot < thrownSlot) {
                l.add(Opcodes.TOP);
                slot++;
            }
            l.add("java/lang/Throwable");
        }
        return l.toArray();
    }

    private void frame(Object[] locals, Object[] stack) {
        if (frames) {
            super.visitFrame(Opcodes.F_NEW, locals.length, locals, stack.length, stack);
        }
    }

    static Object frameType(Type t) {
        switch (t.getSort()) {
            case Type.BOOLEAN:
            case Type.BYTE:
            case Type.CHAR:
            case Type.SHORT:
            case Type.INT:
                return Opcodes.INTEGER;
            case Type.LONG:
                return Opcodes.LONG;
            case Type.FLOAT:
                return Opcodes.FLOAT;
            case Type.DOUBLE:
                return Opcodes.DOUBLE;
            default:
                return t.getInternalName();
        }
    }
}
