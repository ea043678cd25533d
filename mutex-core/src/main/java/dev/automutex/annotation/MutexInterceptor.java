package dev.automutex.annotation;

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

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		return this.support.execute(invocation);
	}

}
