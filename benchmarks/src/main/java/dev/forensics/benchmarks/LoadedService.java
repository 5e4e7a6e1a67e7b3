package dev.forensics.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A service with a large, loaded class path, for benchmarks/attach-pause.sh: every retransformation walks all loaded
 * classes inside its safepoint, so the pause an attach causes grows with them and the JDK's own few thousand classes
 * understate it. It defines its own classes from hand-built class files (spread over several loaders, each of which
 * also serves the bytes as resources, as a jar would), links and runs each once, touches the JDK types the agent's
 * hooks target, prints "ready <loaded classes>" and idles.
 */
public final class LoadedService {
    public static void main(String[] args) throws Exception {
        int classes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int loaders = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        long checksum = 0;
        Generated[] all = new Generated[loaders];
        for (int l = 0; l < loaders; l++) {
            all[l] = new Generated();
        }
        for (int i = 0; i < classes; i++) {
            String name = String.format("gen/p%d/C%05d", i % loaders, i);
            Class<?> c = all[i % loaders].define(name);
            @SuppressWarnings("unchecked")
            IntFunction<Object> f =
                    (IntFunction<Object>) c.getDeclaredConstructor().newInstance();
            checksum += f.apply(i).hashCode(); // links the class: constant pool cache, resolved call sites
        }
        touchHookTargets();
        System.out.println("ready " + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount()
                + " classes (checksum " + checksum + ")");
        System.out.flush();
        Thread.sleep(Long.parseLong(args.length > 2 ? args[2] : "600") * 1000);
    }

    /** Loads the JDK classes forensics instruments (HTTP clients, sockets, std streams), as a real service has them loaded. */
    private static void touchHookTargets() throws IOException {
        HttpClient.newHttpClient();
        new URL("http://127.0.0.1:9/").openConnection(); // no connect: only the classes are wanted
        new java.net.Socket().close();
        System.out.print("");
    }

    /** A loader like a jar's: defines the classes it made and serves their bytes as resources (Byte Buddy's pool reads them). */
    static final class Generated extends ClassLoader {
        private final Map<String, byte[]> files = new HashMap<>();

        Generated() {
            super(LoadedService.class.getClassLoader());
        }

        Class<?> define(String internalName) throws IOException {
            byte[] bytes = classFile(internalName);
            synchronized (files) {
                files.put(internalName + ".class", bytes);
            }
            return defineClass(internalName.replace('/', '.'), bytes, 0, bytes.length);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            byte[] b;
            synchronized (files) {
                b = files.get(name);
            }
            return b != null ? new ByteArrayInputStream(b) : super.getResourceAsStream(name);
        }

        @Override
        protected URL findResource(String name) {
            return null; // bytes only through getResourceAsStream; enough for a class file locator
        }
    }

    /** {@code public class <name> implements IntFunction { public Object apply(int i) { return String.valueOf(i); } }} */
    static byte[] classFile(String internalName) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(400);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(0xCAFEBABE);
        out.writeShort(0);
        out.writeShort(61); // Java 17: runs on 17 and 25; straight-line code needs no StackMapTable
        out.writeShort(20); // constant pool count (entries 1..19)
        utf8(out, internalName); // 1
        ref(out, 7, 1); // 2 Class this
        utf8(out, "java/lang/Object"); // 3
        ref(out, 7, 3); // 4 Class Object
        utf8(out, "<init>"); // 5
        utf8(out, "()V"); // 6
        ref2(out, 12, 5, 6); // 7 NameAndType <init>()V
        ref2(out, 10, 4, 7); // 8 Methodref Object.<init>
        utf8(out, "Code"); // 9
        utf8(out, "apply"); // 10
        utf8(out, "(I)Ljava/lang/Object;"); // 11
        utf8(out, "java/lang/String"); // 12
        ref(out, 7, 12); // 13 Class String
        utf8(out, "valueOf"); // 14
        utf8(out, "(I)Ljava/lang/String;"); // 15
        ref2(out, 12, 14, 15); // 16 NameAndType valueOf(I)
        ref2(out, 10, 13, 16); // 17 Methodref String.valueOf
        utf8(out, "java/util/function/IntFunction"); // 18
        ref(out, 7, 18); // 19 Class IntFunction
        out.writeShort(0x0021); // public super
        out.writeShort(2);
        out.writeShort(4);
        out.writeShort(1);
        out.writeShort(19);
        out.writeShort(0); // fields
        out.writeShort(2); // methods
        method(out, 5, 6, 1, 1, new byte[] {0x2a, (byte) 0xb7, 0, 8, (byte) 0xb1}); // aload_0 invokespecial #8 return
        method(out, 10, 11, 1, 2, new byte[] {0x1b, (byte) 0xb8, 0, 17, (byte) 0xb0
        }); // iload_1 invokestatic #17 areturn
        out.writeShort(0); // attributes
        out.flush();
        return buf.toByteArray();
    }

    private static void method(DataOutputStream out, int name, int descriptor, int maxStack, int maxLocals, byte[] code)
            throws IOException {
        out.writeShort(0x0001);
        out.writeShort(name);
        out.writeShort(descriptor);
        out.writeShort(1);
        out.writeShort(9); // Code
        out.writeInt(12 + code.length);
        out.writeShort(maxStack);
        out.writeShort(maxLocals);
        out.writeInt(code.length);
        out.write(code);
        out.writeShort(0); // exception table
        out.writeShort(0); // attributes
    }

    private static void utf8(DataOutputStream out, String s) throws IOException {
        out.writeByte(1);
        out.writeUTF(s);
    }

    private static void ref(DataOutputStream out, int tag, int index) throws IOException {
        out.writeByte(tag);
        out.writeShort(index);
    }

    private static void ref2(DataOutputStream out, int tag, int a, int b) throws IOException {
        out.writeByte(tag);
        out.writeShort(a);
        out.writeShort(b);
    }
}
