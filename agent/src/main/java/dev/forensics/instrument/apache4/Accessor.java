package dev.forensics.instrument.apache4;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads a no-argument method or a field of a client object by name, where typed advice cannot name it: Apache 4.5's
 * connection holder is a private field of a package-private class, and its {@code isReleased} a method of another.
 * The agent lives in the bootstrap loader and cannot link a client's classes, so the member is found in the class or
 * a superclass, once per concrete class ({@link ClassValue}), and made accessible, which the class path's unnamed
 * modules allow. A failed read returns null: a missing status or URL must never cost the application anything.
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
                return f.trySetAccessible() ? f : null;
            } catch (NoSuchFieldException | SecurityException | LinkageError ignored) {
                // try the superclass
            }
        }
        return null;
    }
}
