package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;

/**
 * Startup check of the shape of an {@link AutoMutex} method: that a Spring proxy can
 * intercept it, and that its work runs before it returns, since the key is released when
 * it returns. Types that may be absent (Kotlin, Reactive Streams) are recognised by name,
 * so none of them needs to be on the class path.
 */
final class MutexMethodCheck {

	private MutexMethodCheck() {
	}

	/**
	 * Add a problem for each reason the key could not cover the method's work.
	 * @param method the annotated method, on the user class
	 * @param targetClass the user class
	 * @param problems where problems are added
	 */
	static void check(Method method, Class<?> targetClass, List<String> problems) {
		int modifiers = method.getModifiers();
		if (Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers) || Modifier.isStatic(modifiers)) {
			problems.add("the method is "
					+ (Modifier.isStatic(modifiers) ? "static" : Modifier.isPrivate(modifiers) ? "private" : "final")
					+ ", so a Spring proxy cannot intercept it and it would run unlocked; make it public and not final, "
					+ "and call it from another bean (a call from inside the same class skips the proxy too), or "
					+ "use MutexTemplate.withLock inside it");
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
