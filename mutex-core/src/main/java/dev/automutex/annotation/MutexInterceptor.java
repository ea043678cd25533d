package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.List;
import java.util.function.Supplier;

import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexOperations;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * AOP Alliance {@code MethodInterceptor} for {@link AutoMutex} methods: holds the
 * method's key while it runs. Hands each call to a package-private
 * {@code MutexAspectSupport}, which resolves the key, takes it through
 * {@link MutexOperations} and releases it when the method returns or throws, or, inside a
 * caller's transaction, once that transaction has completed. A busy key goes to the
 * {@link MutexFailureHandler} named by the annotation, or throws
 * {@link dev.automutex.MutexLockException}.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class MutexInterceptor implements MethodInterceptor {

	private final MutexAspectSupport support;

	/**
	 * Create an interceptor.
	 * @param source where the annotations are parsed
	 * @param operations the engine, looked up on first use so that it is not created with
	 * the proxies
	 * @param keyConverter how the values of {@code on} become key text: the same
	 * converter the engine uses
	 */
	public MutexInterceptor(MutexOperationSource source, Supplier<MutexOperations> operations,
			Supplier<MutexKeyConverter> keyConverter) {
		Assert.notNull(source, "MutexOperationSource must not be null");
		Assert.notNull(operations, "MutexOperations supplier must not be null");
		Assert.notNull(keyConverter, "MutexKeyConverter supplier must not be null");
		this.support = new MutexAspectSupport(source, operations, keyConverter);
	}

	/**
	 * The key texts a call of an {@link AutoMutex} method would lock, without calling it
	 * or locking anything: for tests that hold the key first to try the busy path
	 * ({@code mutex-test-support}'s {@code AutoMutexKeys}).
	 * @param bean the bean, or its proxy
	 * @param method the annotated method
	 * @param args the call's arguments
	 * @return the keys, one unless the annotation uses {@code all}
	 * @throws IllegalArgumentException if the method has no {@code @AutoMutex}, or its
	 * key expressions fail for these arguments
	 */
	public List<String> keysFor(Object bean, Method method, @Nullable Object... args) {
		Assert.notNull(bean, "bean must not be null");
		Assert.notNull(method, "method must not be null");
		return this.support.keysFor(bean, method, args);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		return this.support.execute(invocation);
	}

}
