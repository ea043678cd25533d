package dev.automutex.test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.MutexInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The key an {@link AutoMutex} method would lock for given arguments, computed by the
 * application's own interceptor (its key converter, its expressions), without calling the
 * method: so that a test holds that key first and tries the busy path, instead of typing
 * {@code Class#method:arg} by hand.
 *
 * <pre class="code">
 * String key = AutoMutexKeys.keyOf(context, verifier, "perform", "123456"); // "ItunesVerifier#perform:123456"
 * try (HeldByAnotherThread held = HeldByAnotherThread.hold(mutex, key)) {
 *     assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -&gt; verifier.perform("123456"));
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public final class AutoMutexKeys {

	private AutoMutexKeys() {
	}

	/**
	 * The one key a call would lock.
	 * @param context the application, whose {@code @AutoMutex} support computes the key
	 * @param bean the bean (its proxy, as injected, or the target)
	 * @param method the name of the annotated method
	 * @param args the call's arguments
	 * @return the key text
	 * @throws IllegalArgumentException if no annotated method of that name takes these
	 * arguments, or the annotation gives several keys ({@code all}: use {@link #keysOf})
	 */
	public static String keyOf(ApplicationContext context, Object bean, String method, @Nullable Object... args) {
		List<String> keys = keysOf(context, bean, method, args);
		if (keys.size() != 1) {
			throw new IllegalArgumentException(
					"@AutoMutex " + method + " locks " + keys.size() + " keys for these arguments; use keysOf");
		}
		return keys.get(0);
	}

	/**
	 * The keys a call would lock: one, or one per value of {@code all}.
	 * @param context the application, whose {@code @AutoMutex} support computes the keys
	 * @param bean the bean (its proxy, as injected, or the target)
	 * @param method the name of the annotated method
	 * @param args the call's arguments
	 * @return the key texts
	 * @throws IllegalArgumentException if no annotated method of that name takes these
	 * arguments
	 */
	public static List<String> keysOf(ApplicationContext context, Object bean, String method,
			@Nullable Object... args) {
		@Nullable Object[] arguments = (args != null) ? args : new Object[] { null };
		Method annotated = find(AopUtils.getTargetClass(bean), method, arguments);
		return context.getBean(MutexInterceptor.class).keysFor(bean, annotated, arguments);
	}

	private static Method find(Class<?> type, String name, @Nullable Object[] args) {
		List<Method> candidates = new ArrayList<>();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(ClassUtils.getUserClass(type))) {
			if (method.getName().equals(name) && method.isAnnotationPresent(AutoMutex.class) && accepts(method, args)) {
				candidates.add(method);
			}
		}
		if (candidates.size() != 1) {
			throw new IllegalArgumentException(candidates.isEmpty()
					? "No @AutoMutex method " + name + " of " + type.getName() + " takes " + args.length
							+ " argument(s) of these types"
					: "Several @AutoMutex methods " + name + " of " + type.getName() + " take these arguments: "
							+ candidates);
		}
		return candidates.get(0);
	}

	private static boolean accepts(Method method, @Nullable Object[] args) {
		Class<?>[] types = method.getParameterTypes();
		if (types.length != args.length) {
			return false;
		}
		for (int i = 0; i < types.length; i++) {
			Object arg = args[i];
			if (arg != null && !ClassUtils.resolvePrimitiveIfNecessary(types[i]).isInstance(arg)) {
				return false;
			}
		}
		return true;
	}

}
