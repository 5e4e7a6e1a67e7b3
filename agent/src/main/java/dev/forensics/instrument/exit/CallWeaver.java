package dev.forensics.instrument.exit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Weaves one static call into a JDK method, at its entry or before each return, with plain ASM: the call receives
 * the method's arguments, and a {@code try/catch Throwable} around it hands any failure to
 * {@code AdviceErrors.record(t, feature)}, the same contract Byte Buddy advice has. Frames are written by hand
 * (initial locals, or initial locals plus the saved return value) so no class is ever loaded to compute them.
 */
final class CallWeaver {
    static final String ADVICE_ERRORS = "dev/forensics/bootstrap/AdviceErrors";

    /** A call woven into {@code owner.method descriptor}; {@code atReturn} weaves it before every return instead. */
    record Site(String hookName, String owner, String method, String descriptor, boolean atReturn,
                String hookOwner, String hookMethod, String hookDescriptor) {}

    private CallWeaver() {}

    /** The transformed class, or null when no site matched; {@code woven} receives the names of the sites woven. */
    static byte[] weave(byte[] classFile, List<Site> sites, int feature, List<String> woven) {
        ClassReader reader = new ClassReader(classFile);
        boolean anyAtReturn = false;
        for (Site s : sites) {
            anyAtReturn |= s.atReturn();
        }
        Map<String, Integer> maxLocals = anyAtReturn ? maxLocals(reader) : Map.of();
        ClassWriter writer = new ClassWriter(reader, 0);
        List<String> done = new ArrayList<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                for (Site s : sites) {
                    if (s.method().equals(name) && s.descriptor().equals(descriptor) && (access & Opcodes.ACC_ABSTRACT) == 0
                            && (access & Opcodes.ACC_NATIVE) == 0) {
                        done.add(s.hookName());
                        int freeSlot = maxLocals.getOrDefault(name + descriptor, -1);
                        mv = new SiteVisitor(mv, s, (access & Opcodes.ACC_STATIC) != 0, feature, freeSlot);
                    }
                }
                return mv;
            }
        }, ClassReader.EXPAND_FRAMES);
        if (done.isEmpty()) {
            return null;
        }
        woven.addAll(done);
        return writer.toByteArray();
    }

    /** max_locals of every method: the first slot free for a saved return value. */
    private static Map<String, Integer> maxLocals(ClassReader reader) {
        Map<String, Integer> out = new HashMap<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int locals) {
                        out.put(name + descriptor, locals);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return out;
    }

    private static final class SiteVisitor extends MethodVisitor {
        private final Site site;
        private final boolean isStatic;
        private final int feature;
        private final Type[] args;
        private final List<Object> initialLocals = new ArrayList<>();
        private final List<Label[]> returnHandlers = new ArrayList<>(); // {handler, after}
        private final List<Object[]> returnHandlerLocals = new ArrayList<>();
        private Label entryHandler;
        private Label entryAfter;
        private final int savedSlot;
        private boolean framePending;

        SiteVisitor(MethodVisitor mv, Site site, boolean isStatic, int feature, int freeSlot) {
            super(Opcodes.ASM9, mv);
            this.site = site;
            this.savedSlot = freeSlot;
            this.isStatic = isStatic;
            this.feature = feature;
            this.args = Type.getArgumentTypes(site.descriptor());
            if (!isStatic) {
                initialLocals.add(site.owner());
            }
            for (Type t : args) {
                initialLocals.add(frameType(t));
            }
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (site.atReturn()) {
                return;
            }
            Label start = new Label();
            Label end = new Label();
            entryHandler = new Label();
            entryAfter = end;
            super.visitTryCatchBlock(start, end, entryHandler, "java/lang/Throwable");
            super.visitLabel(start);
            loadArguments();
            super.visitMethodInsn(Opcodes.INVOKESTATIC, site.hookOwner(), site.hookMethod(), site.hookDescriptor(), false);
            super.visitLabel(end);
            // The handler jumps back here, so this offset needs a frame: the method's initial one, unless the
            // original code already has a frame at its first instruction (a loop head), which then serves.
            framePending = true;
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            framePending = false;
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        private void flushFrame() {
            if (framePending) {
                framePending = false;
                super.visitFrame(Opcodes.F_NEW, initialLocals.size(), initialLocals.toArray(), 0, new Object[0]);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            flushFrame();
            if (site.atReturn() && opcode == Opcodes.ARETURN && savedSlot >= 0) {
                weaveBeforeReturn(opcode);
                return;
            }
            if (site.atReturn() && opcode == Opcodes.RETURN) {
                weaveBeforeVoidReturn();
            }
            super.visitInsn(opcode);
        }

        /** Saves the returned reference, calls the hook, and returns the saved value; a failure jumps to "after". */
        private void weaveBeforeReturn(int opcode) {
            super.visitVarInsn(Opcodes.ASTORE, savedSlot);
            Label start = new Label();
            Label end = new Label();
            Label handler = new Label();
            super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
            super.visitLabel(start);
            loadArguments();
            super.visitMethodInsn(Opcodes.INVOKESTATIC, site.hookOwner(), site.hookMethod(), site.hookDescriptor(), false);
            super.visitLabel(end);
            Object[] locals = localsWithSaved();
            super.visitFrame(Opcodes.F_NEW, locals.length, locals, 0, new Object[0]);
            super.visitVarInsn(Opcodes.ALOAD, savedSlot);
            super.visitInsn(opcode);
            returnHandlers.add(new Label[] {handler, end});
            returnHandlerLocals.add(locals);
        }

        private void weaveBeforeVoidReturn() {
            Label start = new Label();
            Label end = new Label();
            Label handler = new Label();
            super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
            super.visitLabel(start);
            loadArguments();
            super.visitMethodInsn(Opcodes.INVOKESTATIC, site.hookOwner(), site.hookMethod(), site.hookDescriptor(), false);
            super.visitLabel(end);
            Object[] locals = initialLocals.toArray();
            super.visitFrame(Opcodes.F_NEW, locals.length, locals, 0, new Object[0]);
            returnHandlers.add(new Label[] {handler, end});
            returnHandlerLocals.add(locals);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            flushFrame();
            // Handlers live after the original code: record the failure, then carry on where the call was.
            if (entryHandler != null) {
                emitHandler(entryHandler, entryAfter, initialLocals.toArray());
            }
            for (int i = 0; i < returnHandlers.size(); i++) {
                emitHandler(returnHandlers.get(i)[0], returnHandlers.get(i)[1], returnHandlerLocals.get(i));
            }
            boolean saves = site.atReturn() && Type.getReturnType(site.descriptor()).getSort() != Type.VOID;
            super.visitMaxs(maxStack + 3, saves ? Math.max(maxLocals, savedSlot + 1) : maxLocals);
        }

        private void emitHandler(Label handler, Label after, Object[] locals) {
            super.visitLabel(handler);
            super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
            super.visitIntInsn(Opcodes.BIPUSH, feature);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, ADVICE_ERRORS, "record", "(Ljava/lang/Throwable;I)V", false);
            super.visitJumpInsn(Opcodes.GOTO, after);
        }

        private void loadArguments() {
            int slot = isStatic ? 0 : 1;
            for (Type t : args) {
                super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
                slot += t.getSize();
            }
        }

        private int firstFreeArgumentSlot() {
            int slot = isStatic ? 0 : 1;
            for (Type t : args) {
                slot += t.getSize();
            }
            return slot;
        }

        /** Initial locals, TOP up to the saved slot, then the saved return value's type. */
        private Object[] localsWithSaved() {
            List<Object> l = new ArrayList<>(initialLocals);
            int slot = firstFreeArgumentSlot();
            while (slot < savedSlot) {
                l.add(Opcodes.TOP);
                slot++;
            }
            l.add(Type.getReturnType(site.descriptor()).getInternalName());
            return l.toArray();
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

        private static Object frameType(Type t) {
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
}
