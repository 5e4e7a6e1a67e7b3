package dev.forensics.instrument;

import java.util.List;

/**
 * One intercepted method and what is woven into it: a static call at entry, before every return, and/or when it
 * throws, each receiving the {@link Arg}s it names. Methods are matched by exact name and, where the JDKs agree on
 * it, exact descriptor; {@code descriptor} null matches every overload (constructors whose parameters differ between
 * JDKs). {@code library} is null for JDK types; for a third-party client it names the library, whose hooks are
 * applied in every class loader that defines the type and can see the agent's bootstrap classes.
 *
 * <p>Hook targets are named by string, never by class literal, so the table can be read without loading a single
 * hook class: a feature that is off loads none of its classes.
 *
 * @param name    what the self-check calls this hook, e.g. {@code exit.halt}
 * @param feature the {@link dev.forensics.bootstrap.Feature} this hook belongs to, disabled if its call fails
 */
public record Hook(
        String name,
        int feature,
        String library,
        String owner,
        String method,
        String descriptor,
        Call enter,
        Call exit,
        Exit exitWhen) {

    /** When the exit call runs: after a normal return, when the method throws, or both. */
    public enum Exit {
        RETURN,
        THROW,
        BOTH
    }

    public Hook {
        if (enter != null && method.equals("<init>")) {
            throw new IllegalArgumentException(name + ": entry calls in constructors would see an uninitialised this");
        }
        if (exit != null && exitWhen != Exit.RETURN && method.equals("<init>")) {
            throw new IllegalArgumentException(name + ": a throwing constructor's this is not initialised");
        }
        if (exit != null && exit.uses(Arg.Kind.ENTERED) && (enter == null || !enter.returnsValue())) {
            throw new IllegalArgumentException(name + ": the exit uses the entry's value, but the entry returns none");
        }
    }

    /** {@code java.net.Foo} form of {@link #owner}, for messages and the self-check. */
    public String typeName() {
        return owner.replace('/', '.');
    }

    public static Builder jdk(String name, int feature, String type, String method, String descriptor) {
        return new Builder(name, feature, null, type, method, descriptor);
    }

    public static Builder library(
            String name, int feature, String library, String type, String method, String descriptor) {
        return new Builder(name, feature, library, type, method, descriptor);
    }

    /** A static method of the agent's, named by its owner's internal name, and what it is passed. */
    public record Call(String owner, String name, boolean returnsValue, List<Arg> args) {
        public Call {
            args = List.copyOf(args);
        }

        String descriptor() {
            StringBuilder sb = new StringBuilder("(");
            for (Arg a : args) {
                sb.append(a.type());
            }
            return sb.append(returnsValue ? ")Ljava/lang/Object;" : ")V").toString();
        }

        boolean uses(Arg.Kind kind) {
            for (Arg a : args) {
                if (a.kind() == kind) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One value handed to a call: the receiver, a parameter, a field of the receiver, the value returned, the exception
     * thrown, what the entry call returned, or a constant. {@code type} is the JVM descriptor the call declares it as
     * (a supertype of the value's, usually {@code Object}: hooks live in the bootstrap loader and cannot name a
     * client's types); {@code fieldType} is the field's own descriptor.
     */
    public record Arg(Kind kind, int index, String fieldOwner, String name, String fieldType, String type) {
        public enum Kind {
            THIS,
            PARAM,
            FIELD,
            RETURNED,
            THROWN,
            ENTERED,
            CONSTANT
        }

        public static final String OBJECT = "Ljava/lang/Object;";

        public static Arg self() {
            return new Arg(Kind.THIS, 0, null, null, null, OBJECT);
        }

        public static Arg param(int index) {
            return new Arg(Kind.PARAM, index, null, null, null, OBJECT);
        }

        public static Arg param(int index, String type) {
            return new Arg(Kind.PARAM, index, null, null, null, type);
        }

        /** A field of the receiver declared in the hooked type itself, passed as its own type. */
        public static Arg field(String name, String fieldType) {
            return new Arg(Kind.FIELD, 0, null, name, fieldType, fieldType);
        }

        /** A field of the receiver declared in the hooked type, passed as {@code type} (usually {@link #OBJECT}). */
        public static Arg field(String name, String fieldType, String type) {
            return new Arg(Kind.FIELD, 0, null, name, fieldType, type);
        }

        /** A boolean constant, for hooks that take one. */
        public static Arg flag(boolean value) {
            return new Arg(Kind.CONSTANT, value ? 1 : 0, null, null, null, "Z");
        }

        /** The value returned; the default value (null, 0) when the call runs because the method threw. */
        public static Arg returned(String type) {
            return new Arg(Kind.RETURNED, 0, null, null, null, type);
        }

        /** The exception thrown; null when the call runs after a normal return. */
        public static Arg thrown() {
            return new Arg(Kind.THROWN, 0, null, null, null, "Ljava/lang/Throwable;");
        }

        public static Arg entered() {
            return new Arg(Kind.ENTERED, 0, null, null, null, OBJECT);
        }
    }

    /** Reads as the table row it builds: {@code Hook.jdk(...).atEntry(...)}, {@code .atExit(...)}, {@code .onThrow(...)}. */
    public static final class Builder {
        private final String name;
        private final int feature;
        private final String library;
        private final String owner;
        private final String method;
        private final String descriptor;
        private Call enter;

        Builder(String name, int feature, String library, String type, String method, String descriptor) {
            this.name = name;
            this.feature = feature;
            this.library = library;
            this.owner = type.replace('.', '/');
            this.method = method;
            this.descriptor = descriptor;
        }

        /** The entry call, then the exit call (a builder step): {@code .entering(...).atExit(...)}. */
        public Builder entering(String hooks, String call, boolean returnsValue, Arg... args) {
            enter = new Call(hooks, call, returnsValue, List.of(args));
            return this;
        }

        public Hook atEntry(String hooks, String call, Arg... args) {
            return new Hook(
                    name,
                    feature,
                    library,
                    owner,
                    method,
                    descriptor,
                    new Call(hooks, call, false, List.of(args)),
                    null,
                    null);
        }

        public Hook atExit(String hooks, String call, Arg... args) {
            return new Hook(
                    name,
                    feature,
                    library,
                    owner,
                    method,
                    descriptor,
                    enter,
                    new Call(hooks, call, false, List.of(args)),
                    Exit.RETURN);
        }

        /** After a normal return and when the method throws. */
        public Hook atExitOrThrow(String hooks, String call, Arg... args) {
            return new Hook(
                    name,
                    feature,
                    library,
                    owner,
                    method,
                    descriptor,
                    enter,
                    new Call(hooks, call, false, List.of(args)),
                    Exit.BOTH);
        }

        /** Only when the method throws: the success path carries no woven code at all. */
        public Hook onThrow(String hooks, String call, Arg... args) {
            return new Hook(
                    name,
                    feature,
                    library,
                    owner,
                    method,
                    descriptor,
                    enter,
                    new Call(hooks, call, false, List.of(args)),
                    Exit.THROW);
        }
    }
}
