package dev.forensics.leak;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads a no-argument method or a field of a client object by name. The agent lives in the bootstrap loader and cannot
 * link a client's classes, so it calls them reflectively, resolved once per concrete class ({@link ClassValue}) and
 * preferably through a public, exported declaring type (calling through the JDK's internal implementation class would
 * be refused), else through the class itself where its module is open to us. A failed read returns null: a missing
 * status or URL must never cost the application anything. Only what typed advice cannot name is read this way (Apache
 * 4.5's connection holder); typed reads in the advice cost a fraction.
 */
final class Accessor {
    private final String name;
    private final boolean field;
    private final ClassValue<Object> members = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> type) {
            Object m = field ? findField(type, name) : findMethod(type, name);
            return m == null ? NONE : m;
        }
    };
    private static final Object NONE = new Object();

    private Accessor(String name, boolean field) {
        this.name = name;
        this.field = field;
    }

    static Accessor method(String name) {
        return new Accessor(name, false);
    }

    /** A field, public or not; non-public fields only in classes whose module is open to us (the class path is). */
    static Accessor field(String name) {
        return new Accessor(name, true);
    }

    Object get(Object target) {
        if (target == null) {
            return null;
        }
        Object m = members.get(target.getClass());
        try {
            if (m instanceof Method) {
                return ((Method) m).invoke(target);
            }
            if (m instanceof Field) {
                return ((Field) m).get(target);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
        return null;
    }

    private static Method findMethod(Class<?> type, String name) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> k = todo.poll();
            if (!seen.add(k)) {
                continue;
            }
            if (Modifier.isPublic(k.getModifiers()) && k.getModule().isExported(k.getPackageName())) {
                try {
                    Method m = k.getDeclaredMethod(name);
                    if (Modifier.isPublic(m.getModifiers())) {
                        // Allowed for a public member of an exported package; it spares every call the access check,
                        // which costs more than the call when the caller (us) and the target live in different loaders.
                        m.trySetAccessible();
                        return m;
                    }
                } catch (NoSuchMethodException | SecurityException | LinkageError ignored) {
                    // keep looking in supertypes
                }
            }
            if (k.getSuperclass() != null) {
                todo.add(k.getSuperclass());
            }
            for (Class<?> i : k.getInterfaces()) {
                todo.add(i);
            }
        }
        // A package-private library class (Apache 4's ConnectionHolder): callable where its module is open to us,
        // as the class path's unnamed modules are.
        for (Class<?> k = type; k != null; k = k.getSuperclass()) {
            try {
                Method m = k.getDeclaredMethod(name);
                return m.trySetAccessible() ? m : null;
            } catch (NoSuchMethodException | SecurityException | LinkageError ignored) {
                // try the superclass
            }
        }
        return null;
    }

    private static Field findField(Class<?> type, String name) {
        for (Class<?> k = type; k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                if (Modifier.isPublic(f.getModifiers()) && Modifier.isPublic(k.getModifiers()) && k.getModule().isExported(k.getPackageName())) {
                    f.trySetAccessible();
                    return f;
                }
                return f.trySetAccessible() ? f : null;
            } catch (NoSuchFieldException | SecurityException | LinkageError ignored) {
                // try the superclass
            }
        }
        return null;
    }
}
