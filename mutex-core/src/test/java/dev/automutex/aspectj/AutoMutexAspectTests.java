package dev.automutex.aspectj;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.FencingToken;
import dev.automutex.annotation.MutexInterceptor;
import dev.automutex.annotation.MutexOperationSource;
import dev.automutex.store.LocalMutexStore;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.reflect.MethodSignature;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link AutoMutexAspect} hands each execution to the configured interceptor, refuses to
 * run a method unlocked when none is configured, and falls back to the context configured
 * before when the last one closes. Without weaving: the join points are made here; the
 * woven path is tested in {@code samples/aspectj}.
 */
class AutoMutexAspectTests {

	private final MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());

	private final Ledger ledger = new Ledger();

	@Test
	void callBeforeConfiguredFailsInsteadOfRunningUnlocked() {
		AutoMutexAspect aspect = new AutoMutexAspect();
		List<Object[]> proceeded = new ArrayList<>();
		assertThat(aspect.isConfigured()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> aspect.lock(joinPoint(this.ledger, "post", proceeded)))
			.withMessageContaining("Ledger.post(java.lang.String)")
			.withMessageContaining("was called before AutoMutex's aspect was configured, and it would run unlocked")
			.withMessageContaining("@EnableAutoMutex(mode = AdviceMode.ASPECTJ)");
		assertThat(proceeded).as("the method did not run").isEmpty();
	}

	@Test
	void executionRunsHoldingItsKeyThroughTheInterceptor() throws Throwable {
		AutoMutexAspect aspect = new AutoMutexAspect();
		aspect.configure(interceptor());
		AtomicReference<Boolean> heldInside = new AtomicReference<>();
		ProceedingJoinPoint joinPoint = joinPoint(this.ledger, "post", (args) -> {
			heldInside.set(this.mutex.isLocked("Ledger#post:a"));
			return "posted";
		});
		assertThat(aspect.lock(joinPoint)).isEqualTo("posted");
		assertThat(heldInside.get()).isTrue();
		assertThat(this.mutex.isLocked("Ledger#post:a")).isFalse();
	}

	@Test
	void fencingTokenReachesTheMethodThroughProceed() throws Throwable {
		AutoMutexAspect aspect = new AutoMutexAspect();
		aspect.configure(interceptor());
		List<Object[]> proceeded = new ArrayList<>();
		aspect.lock(joinPoint(this.ledger, "write", proceeded));
		assertThat(proceeded).singleElement().satisfies((args) -> {
			assertThat(args[0]).isEqualTo("a");
			assertThat((long) args[1]).isPositive();
		});
	}

	@Test
	void staticMethodFailsInsteadOfRunningUnlocked() {
		AutoMutexAspect aspect = new AutoMutexAspect();
		aspect.configure(interceptor());
		assertThatIllegalStateException()
			.isThrownBy(() -> aspect.lock(joinPoint(null, "post", (args) -> "ran unlocked")))
			.withMessageContaining("is static, which AutoMutex's aspect does not lock");
	}

	@Test
	void closingTheLastContextFallsBackToTheOneConfiguredBefore() throws Throwable {
		AutoMutexAspect aspect = new AutoMutexAspect();
		MutexInterceptor first = named("first");
		MutexInterceptor second = named("second");
		aspect.configure(first);
		aspect.configure(second);
		assertThat(aspect.lock(joinPoint(this.ledger, "post", (args) -> "ran"))).isEqualTo("second");
		aspect.release(second);
		assertThat(aspect.lock(joinPoint(this.ledger, "post", (args) -> "ran"))).isEqualTo("first");
		aspect.release(first);
		assertThat(aspect.isConfigured()).isFalse();
	}

	@Test
	void classIsCompletedForCompileTimeWeaving() throws Exception {
		// Compile-time woven code calls AutoMutexAspect.aspectOf(), which only the
		// AspectJ compiler adds (mutex-core's pom runs it over this class).
		Method aspectOf = AutoMutexAspect.class.getMethod("aspectOf");
		assertThat(aspectOf.invoke(null)).isInstanceOf(AutoMutexAspect.class);
	}

	private MutexInterceptor interceptor() {
		return new MutexInterceptor(new MutexOperationSource(), () -> this.mutex, this.mutex::getKeyConverter);
	}

	private MutexInterceptor named(String name) {
		return new MutexInterceptor(new MutexOperationSource(), () -> this.mutex, this.mutex::getKeyConverter) {

			@Override
			public Object invoke(org.aopalliance.intercept.MethodInvocation invocation) {
				return name;
			}

		};
	}

	private static ProceedingJoinPoint joinPoint(@Nullable Object target, String methodName, List<Object[]> proceeded) {
		return joinPoint(target, methodName, (args) -> {
			proceeded.add(args);
			return null;
		});
	}

	/**
	 * A join point for the execution of one of {@link Ledger}'s methods with the argument
	 * {@code "a"} (and {@code 0} for a token), as AspectJ would pass it.
	 */
	private static ProceedingJoinPoint joinPoint(@Nullable Object target, String methodName, Body body) {
		Method method = ReflectionUtils.findMethod(Ledger.class, methodName, (Class<?>[]) null);
		assertThat(method).isNotNull();
		Object[] args = (method.getParameterCount() == 2) ? new Object[] { "a", 0L } : new Object[] { "a" };
		MethodSignature signature = (MethodSignature) Proxy.newProxyInstance(
				AutoMutexAspectTests.class.getClassLoader(), new Class<?>[] { MethodSignature.class },
				(proxy, called, arguments) -> switch (called.getName()) {
					case "getMethod" -> method;
					case "toLongString", "toString" -> method.toString();
					default -> throw new UnsupportedOperationException(called.getName());
				});
		return (ProceedingJoinPoint) Proxy.newProxyInstance(AutoMutexAspectTests.class.getClassLoader(),
				new Class<?>[] { ProceedingJoinPoint.class }, (proxy, called, arguments) -> switch (called.getName()) {
					case "getSignature" -> signature;
					case "getThis", "getTarget" -> target;
					case "getArgs" -> args.clone();
					case "proceed" -> body.run((arguments != null) ? (Object[]) arguments[0] : args);
					default -> throw new UnsupportedOperationException(called.getName());
				});
	}

	@FunctionalInterface
	interface Body {

		@Nullable Object run(Object[] args);

	}

	static class Ledger {

		@AutoMutex(on = "#id")
		public String post(String id) {
			return "posted " + id;
		}

		@AutoMutex(on = "#id")
		public long write(String id, @FencingToken long token) {
			return token;
		}

	}

}
