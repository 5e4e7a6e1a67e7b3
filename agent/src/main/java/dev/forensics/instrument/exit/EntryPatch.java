package dev.forensics.instrument.exit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link CallWeaver}'s entry weave (a static call at a method's first instruction, receiving its arguments, with any
 * failure handed to {@code AdviceErrors.record(t, feature)}) as a direct edit of the class file, without ASM. It runs
 * on {@code Runtime} in premain, where loading and first running ASM's reader and writer cost 4-6 ms of every start;
 * this edit costs a fraction of a millisecond. Sites that weave before returns still go through ASM.
 *
 * <p>The edit puts a prefix before the original code, whose length is a multiple of four so that switch padding is
 * unchanged (every other branch in the original code is relative):
 * <pre>
 *   0: load the arguments; invokestatic hook      (try)
 *      goto L
 *   H: bipush feature; invokestatic AdviceErrors.record   (catch Throwable, falls through)
 *      nop...
 *   L: the original code, every code offset in the Code attribute shifted by L
 * </pre>
 * New constants are appended to the pool (duplicates are legal). Frames: one at H (the initial locals, a Throwable
 * on the stack), one at L (the initial locals) unless the original code has a frame at its first instruction, then the
 * original frames with the first one's delta and every {@code Uninitialized(offset)} adjusted. A Code attribute this
 * does not know (type annotations, say) is {@link Unsupported}: the caller weaves that class with ASM instead.
 */
final class EntryPatch {
    /** A class-file shape this edit does not handle; nothing was changed. */
    static final class Unsupported extends Exception {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    private static final String RECORD_OWNER = CallWeaver.ADVICE_ERRORS;
    private static final String RECORD_DESCRIPTOR = "(Ljava/lang/Throwable;I)V";

    private final byte[] in;
    private int[] cp; // offset of each constant pool entry
    private int cpCount;
    private int cpEnd;
    private final Out pool = new Out(256); // appended constants
    private int added;

    private EntryPatch(byte[] in) {
        this.in = in;
    }

    /**
     * The patched class, or null when none of the sites' methods is in it; {@code woven} receives the names of the
     * sites woven. Every site must be an entry site.
     */
    static byte[] patch(byte[] classFile, List<CallWeaver.Site> sites, int feature, List<String> woven) throws Unsupported {
        for (CallWeaver.Site s : sites) {
            if (s.atReturn()) {
                throw new Unsupported("site " + s.hookName() + " weaves before returns");
            }
        }
        if (feature < 0 || feature > Byte.MAX_VALUE) {
            throw new Unsupported("feature " + feature);
        }
        try {
            return new EntryPatch(classFile).apply(sites, feature, woven);
        } catch (IndexOutOfBoundsException truncated) {
            throw new Unsupported("truncated class file");
        }
    }

    private byte[] apply(List<CallWeaver.Site> sites, int feature, List<String> woven) throws Unsupported {
        if (u4(0) != 0xCAFEBABE || u2(6) < 50) {
            throw new Unsupported("not a class file of version 50 or later");
        }
        readPool();
        int at = cpEnd;
        int afterPool = at;
        at += 8 + 2 * u2(at + 6); // access, this, super, interfaces
        at = skipMembers(at); // fields
        int methodsStart = at;
        int methodCount = u2(at);
        at += 2;
        // Find the methods first: nothing is appended to the pool for a class that has none of them.
        List<int[]> targets = new ArrayList<>(); // {method offset, site index}
        for (int m = 0; m < methodCount; m++) {
            int access = u2(at);
            for (int i = 0; i < sites.size(); i++) {
                CallWeaver.Site s = sites.get(i);
                if ((access & (0x0400 | 0x0100)) == 0 && utf8Is(u2(at + 2), s.method()) && utf8Is(u2(at + 4), s.descriptor())) {
                    if (s.method().startsWith("<")) {
                        throw new Unsupported("constructors and initializers");
                    }
                    if (!targets.isEmpty() && targets.get(targets.size() - 1)[0] == at) {
                        throw new Unsupported("two sites in one method");
                    }
                    targets.add(new int[] {at, i});
                }
            }
            at = skipMember(at);
        }
        if (targets.isEmpty()) {
            return null;
        }
        int throwable = addClass("java/lang/Throwable");
        int record = addMethodref(RECORD_OWNER, "record", RECORD_DESCRIPTOR);
        int stackMapName = addUtf8("StackMapTable");
        int[] hooks = new int[sites.size()];
        for (int[] t : targets) {
            CallWeaver.Site s = sites.get(t[1]);
            if (hooks[t[1]] == 0) {
                hooks[t[1]] = addMethodref(s.hookOwner(), s.hookMethod(), s.hookDescriptor());
            }
        }
        int newCount = cpCount + added;
        if (newCount > 0xFFFF) {
            throw new Unsupported("constant pool full");
        }

        Out out = new Out(in.length + 512);
        out.bytes(in, 0, 8);
        out.u2(newCount);
        out.bytes(in, 10, afterPool - 10);
        out.bytes(pool.buf, 0, pool.len);
        out.bytes(in, afterPool, methodsStart + 2 - afterPool);
        List<String> done = new ArrayList<>(targets.size());
        at = methodsStart + 2;
        int next = 0;
        for (int m = 0; m < methodCount; m++) {
            int end = skipMember(at);
            if (next < targets.size() && targets.get(next)[0] == at) {
                CallWeaver.Site s = sites.get(targets.get(next)[1]);
                boolean isStatic = (u2(at) & 0x0008) != 0;
                out.bytes(in, at, 6);
                int attributes = u2(at + 6);
                out.u2(attributes);
                int a = at + 8;
                boolean patched = false;
                for (int k = 0; k < attributes; k++) {
                    int length = u4(a + 2);
                    if (utf8Is(u2(a), "Code")) {
                        patchCode(out, a, s, isStatic, feature, hooks[targets.get(next)[1]], record, throwable, stackMapName);
                        patched = true;
                    } else {
                        out.bytes(in, a, 6 + length);
                    }
                    a += 6 + length;
                }
                if (!patched) {
                    throw new Unsupported("no Code attribute in " + s.method());
                }
                done.add(s.hookName());
                next++;
            } else {
                out.bytes(in, at, end - at);
            }
            at = end;
        }
        out.bytes(in, at, in.length - at); // class attributes
        woven.addAll(done);
        return Arrays.copyOf(out.buf, out.len);
    }

    /** Writes the Code attribute at {@code a} with the prefix put before its code. */
    private void patchCode(Out out, int a, CallWeaver.Site s, boolean isStatic, int feature, int hook, int record,
                           int throwable, int stackMapName) throws Unsupported {
        int maxStack = u2(a + 6);
        int maxLocals = u2(a + 8);
        int codeLength = u4(a + 10);
        int code = a + 14;

        Out prefix = new Out(32);
        int slots = loadArguments(prefix, s.descriptor(), isStatic ? 0 : 1);
        prefix.u1(0xB8).u2(hook); // invokestatic
        int tryEnd = prefix.len;
        int gotoAt = prefix.len;
        prefix.u1(0xA7).u2(0); // goto L, patched below
        int handler = prefix.len;
        prefix.u1(0x10).u1(feature); // bipush
        prefix.u1(0xB8).u2(record);
        while (prefix.len % 4 != 0) {
            prefix.u1(0x00); // nop
        }
        int shift = prefix.len;
        prefix.buf[gotoAt + 1] = (byte) ((shift - gotoAt) >> 8);
        prefix.buf[gotoAt + 2] = (byte) (shift - gotoAt);
        if (codeLength + shift > 0xFFFF) {
            throw new Unsupported("method too long");
        }

        Out body = new Out(u4(a + 2) + 64); // the attribute, the prefix and one more exception entry
        body.u2(Math.max(maxStack, Math.max(slots, 2)));
        body.u2(maxLocals);
        body.u4(codeLength + shift);
        body.bytes(prefix.buf, 0, shift);
        body.bytes(in, code, codeLength);
        int ex = code + codeLength;
        int handlers = u2(ex);
        body.u2(handlers + 1);
        body.u2(0).u2(tryEnd).u2(handler).u2(throwable);
        for (int i = 0; i < handlers; i++) {
            int e = ex + 2 + 8 * i;
            body.u2(u2(e) + shift).u2(u2(e + 2) + shift).u2(u2(e + 4) + shift).u2(u2(e + 6));
        }
        int at = ex + 2 + 8 * handlers;
        int attributes = u2(at);
        at += 2;
        boolean hasStackMap = false;
        for (int k = 0; k < attributes; k++) {
            hasStackMap |= utf8Is(u2(at), "StackMapTable");
            at += 6 + u4(at + 2);
        }
        body.u2(attributes + (hasStackMap ? 0 : 1));
        at = ex + 2 + 8 * handlers + 2;
        if (!hasStackMap) {
            writeStackMap(body, stackMapName, -1, 0, handler, shift, throwable);
        }
        for (int k = 0; k < attributes; k++) {
            int length = u4(at + 2);
            int info = at + 6;
            if (utf8Is(u2(at), "StackMapTable")) {
                writeStackMap(body, u2(at), info, length, handler, shift, throwable);
            } else if (utf8Is(u2(at), "LineNumberTable")) {
                body.bytes(in, at, 8);
                for (int i = 0; i < u2(info); i++) {
                    body.u2(u2(info + 2 + 4 * i) + shift).u2(u2(info + 4 + 4 * i));
                }
            } else if (utf8Is(u2(at), "LocalVariableTable") || utf8Is(u2(at), "LocalVariableTypeTable")) {
                body.bytes(in, at, 8);
                for (int i = 0; i < u2(info); i++) {
                    int v = info + 2 + 10 * i;
                    body.u2(u2(v) + shift).bytes(in, v + 2, 8);
                }
            } else {
                throw new Unsupported("Code attribute " + utf8(u2(at)));
            }
            at = info + length;
        }
        out.u2(u2(a)).u4(body.len).bytes(body.buf, 0, body.len);
    }

    /**
     * The frames at H and L, then the original ones ({@code info} = -1: none). The first original frame's offset
     * was its delta; it now follows the frame at L (or, if it sits at the original offset 0 and so replaces the one at
     * L, the frame at H).
     */
    private void writeStackMap(Out body, int name, int info, int length, int handler, int shift, int throwable) throws Unsupported {
        Out frames = new Out(length + 16);
        int count = info < 0 ? 0 : u2(info);
        int at = info + 2;
        int firstOffset = count == 0 ? -1 : delta(at);
        boolean ownFrameAtL = firstOffset != 0;
        frames.u2(count + 1 + (ownFrameAtL ? 1 : 0));
        writeDelta(frames, 64, 247, handler); // same_locals_1_stack_item: Throwable
        frames.u1(7).u2(throwable);
        if (ownFrameAtL) {
            writeDelta(frames, 0, 251, shift - handler - 1); // same_frame
        }
        for (int i = 0; i < count; i++) {
            int type = u1(at);
            int delta = i > 0 ? delta(at) : ownFrameAtL ? firstOffset - 1 : shift - handler - 1;
            if (type < 64) {
                writeDelta(frames, 0, 251, delta);
                at += 1;
            } else if (type < 128) {
                writeDelta(frames, 64, 247, delta);
                at = copyType(frames, at + 1, shift);
            } else if (type < 247) {
                throw new Unsupported("reserved frame type " + type);
            } else {
                frames.u1(type).u2(delta);
                at += 3;
                if (type == 247) {
                    at = copyType(frames, at, shift);
                } else if (type >= 252 && type <= 254) {
                    for (int k = 0; k < type - 251; k++) {
                        at = copyType(frames, at, shift);
                    }
                } else if (type == 255) {
                    for (int part = 0; part < 2; part++) {
                        int n = u2(at);
                        frames.u2(n);
                        at += 2;
                        for (int k = 0; k < n; k++) {
                            at = copyType(frames, at, shift);
                        }
                    }
                }
            }
        }
        if (info >= 0 && at != info + length) {
            throw new Unsupported("StackMapTable length");
        }
        body.u2(name).u4(frames.len).bytes(frames.buf, 0, frames.len);
    }

    /** A frame's offset delta from its first byte. */
    private int delta(int at) {
        int type = u1(at);
        return type < 64 ? type : type < 128 ? type - 64 : u2(at + 1);
    }

    /** A one-byte frame form ({@code base} + delta) when the delta fits, else its extended form. */
    private static void writeDelta(Out frames, int base, int extended, int delta) {
        if (delta < 64) {
            frames.u1(base + delta);
        } else {
            frames.u1(extended).u2(delta);
        }
    }

    /** Copies one verification type; {@code Uninitialized(offset)} names a code offset, which moved. */
    private int copyType(Out frames, int at, int shift) throws Unsupported {
        int tag = u1(at);
        if (tag <= 6) {
            frames.u1(tag);
            return at + 1;
        }
        if (tag == 7) {
            frames.u1(tag).u2(u2(at + 1));
        } else if (tag == 8) {
            frames.u1(tag).u2(u2(at + 1) + shift);
        } else {
            throw new Unsupported("verification type " + tag);
        }
        return at + 3;
    }

    /** Loads the arguments of {@code descriptor} from slot {@code slot} on; returns the stack slots they take. */
    private static int loadArguments(Out code, String descriptor, int slot) {
        int used = 0;
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            char c = descriptor.charAt(i);
            int opcode; // iload, lload, fload, dload, aload
            int size = 1;
            switch (c) {
                case 'J': opcode = 0x16; size = 2; break;
                case 'F': opcode = 0x17; break;
                case 'D': opcode = 0x18; size = 2; break;
                case 'L': case '[': opcode = 0x19; break;
                default: opcode = 0x15; // Z B C S I
            }
            while (descriptor.charAt(i) == '[') {
                i++;
            }
            i = descriptor.charAt(i) == 'L' ? descriptor.indexOf(';', i) + 1 : i + 1;
            if (slot <= 3) {
                code.u1(0x1A + (opcode - 0x15) * 4 + slot); // iload_0 ... aload_3
            } else if (slot <= 0xFF) {
                code.u1(opcode).u1(slot);
            } else {
                code.u1(0xC4).u1(opcode).u2(slot); // wide
            }
            slot += size;
            used += size;
        }
        return used;
    }

    private void readPool() throws Unsupported {
        cpCount = u2(8);
        cp = new int[cpCount];
        int at = 10;
        for (int i = 1; i < cpCount; i++) {
            cp[i] = at;
            int tag = u1(at);
            switch (tag) {
                case 1: at += 3 + u2(at + 1); break; // Utf8
                case 7: case 8: case 16: case 19: case 20: at += 3; break; // Class String MethodType Module Package
                case 15: at += 4; break; // MethodHandle
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: at += 5; break;
                case 5: case 6: at += 9; i++; break; // Long, Double take two entries
                default: throw new Unsupported("constant tag " + tag);
            }
        }
        cpEnd = at;
    }

    private int skipMembers(int at) {
        int count = u2(at);
        at += 2;
        for (int i = 0; i < count; i++) {
            at = skipMember(at);
        }
        return at;
    }

    /** A field or method: access, name, descriptor, attributes. */
    private int skipMember(int at) {
        int attributes = u2(at + 6);
        at += 8;
        for (int k = 0; k < attributes; k++) {
            at += 6 + u4(at + 2);
        }
        return at;
    }

    private boolean utf8Is(int index, String s) {
        if (index <= 0 || index >= cpCount) {
            return false;
        }
        int at = cp[index];
        if (u1(at) != 1 || u2(at + 1) != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (in[at + 3 + i] != (byte) s.charAt(i) || s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private String utf8(int index) {
        int at = cp[index];
        return new String(in, at + 3, u2(at + 1), StandardCharsets.UTF_8);
    }

    private int addUtf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8); // the names here are ASCII, where modified UTF-8 is UTF-8
        pool.u1(1).u2(b.length).bytes(b, 0, b.length);
        return cpCount + added++;
    }

    private int addClass(String internalName) {
        int name = addUtf8(internalName);
        pool.u1(7).u2(name);
        return cpCount + added++;
    }

    private int addMethodref(String owner, String name, String descriptor) {
        int c = addClass(owner);
        int n = addUtf8(name);
        int d = addUtf8(descriptor);
        pool.u1(12).u2(n).u2(d);
        int nat = cpCount + added++;
        pool.u1(10).u2(c).u2(nat);
        return cpCount + added++;
    }

    private int u1(int at) {
        return in[at] & 0xFF;
    }

    private int u2(int at) {
        return (in[at] & 0xFF) << 8 | in[at + 1] & 0xFF;
    }

    private int u4(int at) {
        return u2(at) << 16 | u2(at + 2);
    }

    /** A growable byte buffer: ByteArrayOutputStream's synchronisation and IOException are of no use here. */
    private static final class Out {
        byte[] buf;
        int len;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void room(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        Out u1(int v) {
            room(1);
            buf[len++] = (byte) v;
            return this;
        }

        Out u2(int v) {
            room(2);
            buf[len++] = (byte) (v >> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Out u4(int v) {
            return u2(v >>> 16).u2(v & 0xFFFF);
        }

        Out bytes(byte[] src, int from, int n) {
            room(n);
            System.arraycopy(src, from, buf, len, n);
            len += n;
            return this;
        }
    }
}
