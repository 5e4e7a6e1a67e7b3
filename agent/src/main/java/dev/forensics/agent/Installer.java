package dev.forensics.agent;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.instrument.Hook;
import dev.forensics.report.Sites;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.StackManipulation;
import net.bytebuddy.implementation.bytecode.constant.IntegerConstant;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * Applies every {@link Hook} with one {@link AgentBuilder}: name matchers only, Byte Buddy's default ignore
 * replaced so bootstrap classes are retransformed, retransformation without class format changes, pool-only type
 * descriptions. Then checks each hook against this JDK's actual classes, because a hook that silently matches
 * nothing is the failure an agent otherwise never notices.
 */
public final class Installer {
    private Installer() {}

    public static HookStatus.Report install(Instrumentation inst, List<Hook> hooks) {
        return install(inst, hooks, List.of());
    }

    /** {@code woven}: hooks another transformer applied at start-up; only their status is collected. */
    public static HookStatus.Report install(Instrumentation inst, List<Hook> hooks, List<Hook> woven) {
        // Byte Buddy's "safe" mode never touches sun.misc.Unsafe, which JDK 24+ reports on stderr. The name is
        // relocated with Byte Buddy (dev.forensics.shaded.net.bytebuddy.safe), so the host's own Byte Buddy is unaffected.
        if (System.getProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY) == null) {
            System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
        }
        HookStatus status = new HookStatus(hooks);
        // Advice bytes are read, never loaded, from the agent jar. The system class loader always has that jar on its
        // path (the JVM puts it there for every agent), while the boot loader's resource view misses a jar appended
        // after start-up.
        ClassLoader agentJar = ClassLoader.getSystemClassLoader();

        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                // Advice is inlined and no auxiliary class is ever injected; saying so keeps Byte Buddy from probing
                // sun.misc.Unsafe, which JDK 24+ reports on the host's stderr.
                .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                // Small batches keep each retransformation pause short when attaching to a loaded JVM.
                .with(AgentBuilder.RedefinitionStrategy.BatchAllocator.ForFixedSize.ofSize(64))
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(AgentBuilder.PoolStrategy.Default.FAST)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(status.listener())
                // Every class not named by a hook is ignored on its name alone, first: the other checks need the
                // class file parsed, which for every loaded class (attach, 10,000+ classes) took seconds of the
                // target's CPU, and afterwards cost a parse per class loaded. Our own classes are never instrumented
                // (a hook must not observe the agent), nor lambdas and synthetics.
                .ignore(not(namedOneOf(typeNames(hooks))).or(new AgentClasses()).or(nameContains("$$Lambda")).or(isSynthetic()));

        for (Hook hook : hooks) {
            Advice.ExceptionHandler handler = new Advice.ExceptionHandler.Simple(new StackManipulation.Compound(
                    IntegerConstant.forValue(hook.feature()), MethodInvocation.invoke(RECORD)));
            builder = builder.type(named(hook.typeName()), loaderMatcher(hook))
                    .transform(new AgentBuilder.Transformer.ForAdvice()
                            .include(agentJar)
                            .withExceptionHandler(handler)
                            .advice(hook.methods(), hook.advice().getName()));
        }
        builder.installOn(inst);
        return status.check(inst, woven);
    }

    private static String[] typeNames(List<Hook> hooks) {
        String[] names = new String[hooks.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = hooks.get(i).typeName();
        }
        return names;
    }

    /** The agent's own packages, the same list stack walks skip. */
    private static final class AgentClasses extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
        @Override
        public boolean matches(TypeDescription type) {
            return Sites.isAgentFrame(type.getName());
        }
    }

    private static final MethodDescription.InDefinedShape RECORD;

    static {
        try {
            RECORD = new MethodDescription.ForLoadedMethod(AdviceErrors.class.getMethod("record", Throwable.class, int.class));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * JDK hooks apply everywhere. A library hook applies only in a loader that holds the library and can see our
     * bootstrap classes; a loader that hides them (some OSGi set-ups) would turn advice into NoClassDefFoundError.
     */
    private static ElementMatcher<ClassLoader> loaderMatcher(Hook hook) {
        if (hook.library() == null) {
            return any();
        }
        Map<ClassLoader, Boolean> seen = new WeakHashMap<>();
        return loader -> {
            if (loader == null) {
                return false;
            }
            synchronized (seen) {
                return seen.computeIfAbsent(loader, l -> l.getResource(hook.library()) != null && seesBootstrap(l));
            }
        };
    }

    private static boolean seesBootstrap(ClassLoader loader) {
        try {
            return Class.forName(AdviceErrors.class.getName(), false, loader) == AdviceErrors.class;
        } catch (Throwable t) {
            return false;
        }
    }

    /** True when a JDK type exists and at least one of its methods matches: read from class files, nothing loaded. */
    static String verify(TypePool pool, Hook hook) {
        TypePool.Resolution resolution = pool.describe(hook.typeName());
        if (!resolution.isResolved()) {
            return "type " + hook.typeName() + " not found";
        }
        TypeDescription type = resolution.resolve();
        @SuppressWarnings("unchecked")
        ElementMatcher<MethodDescription> methods = (ElementMatcher<MethodDescription>) hook.methods();
        for (MethodDescription m : type.getDeclaredMethods()) {
            if (methods.matches(m)) {
                return null;
            }
        }
        return "no matching method in " + hook.typeName();
    }

    static TypePool jdkPool() {
        return TypePool.Default.of(ClassFileLocator.ForClassLoader.ofSystemLoader());
    }
}
