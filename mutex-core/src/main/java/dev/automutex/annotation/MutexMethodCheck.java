package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;

import org.springframework.context.annotation.AdviceMode;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;

/**
 * Startup check of the shape of an {@link AutoMutex} method: that the advice of the
 * {@link AdviceMode} in use reaches it (in proxy mode, that a Spring proxy can intercept
 * it; in AspectJ mode, that AspectJ wove it), and that its work runs before it returns,
 * since the key is released when it returns. Types that may be absent (Kotlin, Reactive
 * Streams, AspectJ) are recognised by name, so none of them needs to be on the class
 * path.
 */
final class MutexMethodCheck {

	/**
	 * Where a proxy-mode message sends a method that is called from its own class.
	 */
	private static final String SELF_CALLS = "call it from another bean (a call from inside the same class does not go "
			+ "through the proxy, so it is not locked even when the method is public), or, to lock calls from its "
			+ "own class too, use @EnableAutoMutex(mode = AdviceMode.ASPECTJ) with AspectJ weaving (see README, "
			+ "Self-calls)";

	/**
	 * What AspectJ names the method that holds the original body of a method it wove
	 * around advice into ({@code perform_aroundBody0}), in load-time and compile-time
	 * weaving alike.
	 */
	private static final String WOVEN_BODY_SUFFIX = "_aroundBody";

	private MutexMethodCheck() {
	}

	/**
	 * Add a problem for each reason the key could not cover the method's work.
	 * @param method the annotated method, on the user class
	 * @param targetClass the user class
	 * @param mode how the annotation is applied
	 * @param problems where problems are added
	 */
	static void check(Method method, Class<?> targetClass, AdviceMode mode, List<String> problems) {
		if (mode == AdviceMode.ASPECTJ) {
			checkWoven(method, problems);
		}
		else {
			checkProxyable(method, problems);
		}
		String deferred = deferredWork(method);
		if (deferred != null) {
			problems.add("the method " + deferred + ", whose work Spring AOP runs after the advice has returned "
					+ "(when the result is awaited, collected or subscribed to), so the key would be released before "
					+ "the work runs, @Async or not; call MutexTemplate.withLock inside the coroutine or stream body "
					+ "instead, or make the method blocking");
		}
		// With @Async, Spring's async advice runs first and hands the whole call, our
		// lock included, to its executor: the key is held on the worker thread for as
		// long as the method body runs.
		else if (isFuture(method.getReturnType()) && !isAsyncMethod(method, targetClass)) {
			problems.add("the method returns a " + method.getReturnType().getSimpleName() + ", so the key would be "
					+ "released when the method returns it, while the asynchronous work may still run unprotected; "
					+ "make it an @Async method, or lock inside the asynchronous work (MutexTemplate.withLock or "
					+ "withLockAsync)");
		}
	}

	private static void checkProxyable(Method method, List<String> problems) {
		int modifiers = method.getModifiers();
		if (Modifier.isStatic(modifiers)) {
			problems.add("the method is static, which neither a Spring proxy nor AutoMutex's aspect can lock, so it "
					+ "would run unlocked; make it a public instance method and " + SELF_CALLS
					+ ", or use MutexTemplate.withLock inside it");
		}
		else if (Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers)) {
			problems.add("the method is " + (Modifier.isPrivate(modifiers) ? "private" : "final")
					+ ", so a Spring proxy cannot intercept it and it would run unlocked; make it public and not final, "
					+ "and " + SELF_CALLS + ", or use MutexTemplate.withLock inside it");
		}
	}

	/**
	 * AspectJ mode: the aspect locks instance methods of any visibility, final ones too,
	 * but only those it was woven into. A class left out of {@code aop.xml}, a JVM
	 * started without the agent, or an annotation AspectJ cannot see (on an overridden
	 * method, or nested deeper than one composed annotation) would leave the method
	 * unlocked without a word, so each is refused here.
	 * @param method the annotated method
	 * @param problems where problems are added
	 */
	private static void checkWoven(Method method, List<String> problems) {
		if (Modifier.isStatic(method.getModifiers())) {
			problems.add("the method is static, which AutoMutex's aspect does not lock (it locks instance methods), "
					+ "so it would run unlocked; make it an instance method, or use MutexTemplate.withLock inside it");
		}
		else if (!AnnotatedElementUtils.isAnnotated(method, AutoMutex.class)) {
			problems.add("@AutoMutex is on a method that this one overrides or implements, and AspectJ sees only "
					+ "annotations on the method itself, so it would run unlocked; put @AutoMutex on this method");
		}
		else if (!isWoven(method)) {
			problems
				.add("AspectJ did not weave AutoMutex's aspect into the method, so it would run unlocked; start the "
						+ "JVM with -javaagent:aspectjweaver.jar and a META-INF/aop.xml that lists the aspect "
						+ "dev.automutex.aspectj.AutoMutexAspect and includes " + method.getDeclaringClass().getName()
						+ ", or weave the class at compile time with the aspect on the aspect path; put @AutoMutex on the "
						+ "method or on an annotation the method carries, not deeper (see README, Self-calls)");
		}
	}

	/**
	 * Whether AspectJ wove around advice into the method: it then moved the method's body
	 * into a static method of the same class named after it. That is the weaver's naming,
	 * not an API (seen with AspectJ 1.9.25 in load-time and compile-time weaving); should
	 * it change, every woven method would be refused at startup, and
	 * {@code samples/aspectj}'s tests, which run under the real agent, would fail.
	 * @param method the method
	 * @return whether its class holds a woven body of the method
	 */
	static boolean isWoven(Method method) {
		String body = method.getName() + WOVEN_BODY_SUFFIX;
		for (Method declared : method.getDeclaringClass().getDeclaredMethods()) {
			if (declared.getName().startsWith(body) && Modifier.isStatic(declared.getModifiers())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * What makes the method's work run after it returned, whatever runs the call: a
	 * Kotlin suspend function (to reflection, a method whose last parameter is a
	 * {@code Continuation}) or a lazy stream.
	 * @param method the annotated method
	 * @return how the method defers its work, for the message, or {@code null} if it does
	 * not
	 */
	private static @Nullable String deferredWork(Method method) {
		Class<?>[] parameters = method.getParameterTypes();
		if (parameters.length > 0
				&& parameters[parameters.length - 1].getName().equals("kotlin.coroutines.Continuation")) {
			return "is a Kotlin suspend function";
		}
		Class<?> returnType = method.getReturnType();
		if (isOrImplements(returnType, "kotlinx.coroutines.flow.Flow")) {
			return "returns a Kotlin Flow" + subtype(returnType, "Flow");
		}
		if (isOrImplements(returnType, "java.util.concurrent.Flow$Publisher")) {
			return "returns a Flow.Publisher" + subtype(returnType, "Publisher");
		}
		if (isOrImplements(returnType, "org.reactivestreams.Publisher")) {
			return "returns a reactive Publisher" + subtype(returnType, "Publisher");
		}
		return null;
	}

	private static String subtype(Class<?> returnType, String simpleName) {
		return returnType.getSimpleName().equals(simpleName) ? "" : " (" + returnType.getSimpleName() + ")";
	}

	private static boolean isAsyncMethod(Method method, Class<?> targetClass) {
		return AnnotatedElementUtils.hasAnnotation(method, Async.class)
				|| AnnotatedElementUtils.hasAnnotation(targetClass, Async.class);
	}

	private static boolean isFuture(Class<?> returnType) {
		return Future.class.isAssignableFrom(returnType) || CompletionStage.class.isAssignableFrom(returnType);
	}

	private static boolean isOrImplements(@Nullable Class<?> type, String interfaceName) {
		if (type == null) {
			return false;
		}
		if (type.getName().equals(interfaceName)) {
			return true;
		}
		for (Class<?> implemented : type.getInterfaces()) {
			if (isOrImplements(implemented, interfaceName)) {
				return true;
			}
		}
		return isOrImplements(type.getSuperclass(), interfaceName);
	}

}
