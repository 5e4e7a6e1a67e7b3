package dev.forensics.instrument;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One place the agent instruments: a type by exact name, the methods in it, and the advice inlined there.
 * {@code library} is null for JDK types; for a third-party client it is a class file that proves a class
 * loader holds that library, so a hook is only applied (and only expected) where the library exists.
 *
 * @param name    what the self-check calls this hook, e.g. {@code exit.halt}
 * @param feature the {@link dev.forensics.bootstrap.Feature} switched off if this advice fails
 */
public record Hook(String name, int feature, String typeName, ElementMatcher<? super MethodDescription> methods,
                   Class<?> advice, String library) {

    public static Hook jdk(String name, int feature, String typeName, ElementMatcher<? super MethodDescription> methods, Class<?> advice) {
        return new Hook(name, feature, typeName, methods, advice, null);
    }

    public static Hook library(String name, int feature, String library, String typeName,
                               ElementMatcher<? super MethodDescription> methods, Class<?> advice) {
        return new Hook(name, feature, typeName, methods, advice, library);
    }
}
