package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.automutex.MutexKey;
import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexLostException;
import dev.automutex.MutexOperations;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.util.ClassUtils;

/**
 * Base of the {@link AutoMutex} support, the counterpart of Spring's
 * {@code CacheAspectSupport}: for one call, looks up the method's prepared operation in
 * the {@link MutexOperationSource}, has its key resolved by a {@link MutexKeyResolver},
 * takes the key through {@link MutexOperations}, runs the method and releases the key,
 * also when the method throws. A busy key goes to the method's
 * {@link MutexFailureHandler}, or its {@link MutexLockException} to the caller. A key
 * found lost by the time the method returns ends the call in {@link MutexLostException},
 * unless the method threw, whose exception wins; a key the method released on purpose
 * ({@code releaseAll()}) is not lost.
 * <p>
 * A key taken while the calling thread is inside a transaction (a caller's
 * {@code @Transactional}) is released only once that transaction has completed, through
 * {@link MutexReleaseSynchronization}, so that it covers the commit. Until then it stays
 * among the thread's locks, which {@link MutexTransactionGuard} checks before the commit.
 * <p>
 * Thread-safe.
 */
final class MutexAspectSupport {

	private static final Logger logger = LoggerFactory.getLogger(MutexAspectSupport.class);

	private static final boolean transactionsPresent = ClassUtils.isPresent(
			"org.springframework.transaction.support.TransactionSynchronizationManager",
			MutexAspectSupport.class.getClassLoader());

	private final MutexOperationSource source;

	private final Supplier<MutexOperations> operations;

	private final MutexKeyResolver keys;

	private final Supplier<MutexKeyConverter> keyConverter;

	private final Set<Method> warnedStillRunning = ConcurrentHashMap.newKeySet();

	MutexAspectSupport(MutexOperationSource source, Supplier<MutexOperations> operations,
			Supplier<MutexKeyConverter> keyConverter) {
		this.source = source;
		this.operations = operations;
		this.keys = new MutexKeyResolver(keyConverter);
		this.keyConverter = keyConverter;
	}

	/**
	 * The key texts a call would lock, without locking.
	 * @param target the bean (or its proxy)
	 * @param method the annotated method
	 * @param args the call's arguments
	 * @return the keys, in the order the call would give them
	 * @throws IllegalArgumentException if the method has no {@code @AutoMutex}, or its
	 * key expressions fail for these arguments
	 */
	List<String> keysFor(Object target, Method method, @Nullable Object[] args) {
		Object bean = AopProxyUtils.getSingletonTarget(target);
		Object user = (bean != null) ? bean : target;
		MutexOperationMetadata metadata = this.source.getMetadata(method, AopUtils.getTargetClass(user));
		if (metadata == null) {
			throw new IllegalArgumentException(method + " has no @AutoMutex");
		}
		List<String> keys = new ArrayList<>();
		for (Object key : this.keys.request(metadata, args, user).getKeys()) {
			keys.add((key instanceof MutexKey text) ? text.text() : this.keyConverter.get().toKey(key));
		}
		return keys;
	}

	@Nullable Object execute(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		MutexOperationMetadata metadata = (target != null)
				? this.source.getMetadata(invocation.getMethod(), AopUtils.getTargetClass(target)) : null;
		if (metadata == null || target == null) {
			return invocation.proceed();
		}
		@Nullable Object[] args = invocation.getArguments();
		MutexLock lock;
		try {
			lock = this.operations.get().lock(this.keys.request(metadata, args, target));
		}
		catch (MutexLockException ex) {
			return handleFailure(metadata, args, target, ex);
		}
		boolean inTransaction = transactionsPresent && MutexReleaseSynchronization.isActive();
		int tokenParameter = metadata.operation().tokenParameter();
		if (tokenParameter >= 0) {
			// The invocation's own argument array: the method receives the token in
			// place of what was passed.
			args[tokenParameter] = fencingToken(lock);
		}
		Object result;
		try {
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			release(lock, inTransaction);
			throw ex;
		}
		releaseOnReturn(metadata.operation(), lock, inTransaction);
		if (metadata.mayReturnFuture()) {
			warnIfStillRunning(metadata.operation(), result);
		}
		return result;
	}

	/**
	 * Release the key of a call that returned, or have it released when the caller's
	 * transaction completes. A key found lost (by renewal, by {@code isHeld()} or by this
	 * release) withholds the result; one released on purpose ({@code releaseAll()}) does
	 * not.
	 * @param operation the operation of the call, for messages
	 * @param lock the lock of the call
	 * @param inTransaction whether the call ran in an active transaction, which then
	 * releases the key when it completes
	 */
	private static void releaseOnReturn(MutexOperation operation, MutexLock lock, boolean inTransaction) {
		if (inTransaction && !lock.isLost()) {
			MutexReleaseSynchronization.releaseAfterCompletion(lock);
		}
		else if (!lock.release() && lock.isLost()) {
			throw new MutexLostException(lock.keys(), operation.describe() + " lost its key " + lock.keys()
					+ " before it returned (it expired or was taken over), so its work may have overlapped with "
					+ "another holder's; its result is withheld");
		}
	}

	private static long fencingToken(MutexLock lock) {
		try {
			return lock.fencingToken();
		}
		catch (RuntimeException ex) {
			lock.close();
			throw ex;
		}
	}

	/**
	 * Release the key of a call that threw, quietly, so that its exception reaches the
	 * caller.
	 * @param lock the lock of the call
	 * @param inTransaction whether the call ran in an active transaction, which then
	 * releases the key when it completes
	 */
	private static void release(MutexLock lock, boolean inTransaction) {
		if (inTransaction && !lock.isLost()) {
			MutexReleaseSynchronization.releaseAfterCompletion(lock);
		}
		else {
			lock.close();
		}
	}

	private @Nullable Object handleFailure(MutexOperationMetadata metadata, @Nullable Object[] args, Object target,
			MutexLockException ex) throws Throwable {
		MutexFailureHandler handler = metadata.failureHandler();
		if (handler == null) {
			throw ex;
		}
		return handler.onFailure(new MutexFailure(ex.keys(), metadata.operation().method(), args, target, ex));
	}

	/**
	 * An {@code @Async} method must finish its work before it returns: the key is
	 * released when it returns.
	 * @param operation the operation of the call
	 * @param result what the method returned
	 */
	private void warnIfStillRunning(MutexOperation operation, @Nullable Object result) {
		if (result instanceof Future<?> future && !future.isDone() && this.warnedStillRunning.add(operation.method())) {
			logger.warn("{} returned a future that was not done, and its key was released when it returned: the work "
					+ "still running is not protected. Finish the work in the method and return a completed future "
					+ "(CompletableFuture.completedFuture).", operation.describe());
		}
	}

}
