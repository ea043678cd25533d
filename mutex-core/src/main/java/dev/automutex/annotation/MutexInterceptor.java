package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.automutex.MutexKey;
import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexLostException;
import dev.automutex.MutexOperations;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.util.ObjectUtils;

/**
 * AOP Alliance {@code MethodInterceptor} for {@link AutoMutex} methods: resolves the key, takes it through
 * {@link MutexOperations}, runs the method and releases the key, also when the method throws. A busy key goes
 * to the {@link MutexFailureHandler} named by the annotation, or throws {@link MutexLockException}.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class MutexInterceptor implements MethodInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(MutexInterceptor.class);

	/** The locks of the {@code @AutoMutex} calls running on each thread, innermost last. */
	private static final ThreadLocal<ArrayDeque<MutexLock>> active = ThreadLocal.withInitial(ArrayDeque::new);

	private final MutexOperationSource source;

	private final Supplier<MutexOperations> operations;

	private final Supplier<MutexKeyConverter> keyConverter;

	private final Set<Method> warnedStillRunning = ConcurrentHashMap.newKeySet();

	/**
	 * Create an interceptor.
	 * @param source where the annotations are parsed
	 * @param operations the engine, looked up on first use so that it is not created with the proxies
	 * @param keyConverter how the values of {@code on} become key text: the same converter the engine uses
	 */
	public MutexInterceptor(MutexOperationSource source, Supplier<MutexOperations> operations,
			Supplier<MutexKeyConverter> keyConverter) {
		Assert.notNull(source, "MutexOperationSource must not be null");
		Assert.notNull(operations, "MutexOperations supplier must not be null");
		Assert.notNull(keyConverter, "MutexKeyConverter supplier must not be null");
		this.source = source;
		this.operations = operations;
		this.keyConverter = keyConverter;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = ClassUtils.getUserClass(
				(target != null) ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass());
		MutexOperation operation = this.source.getOperation(invocation.getMethod(), targetClass);
		if (operation == null || target == null) {
			return invocation.proceed();
		}
		MutexOperations mutex = this.operations.get();
		@Nullable Object[] args = invocation.getArguments();
		MutexLock lock;
		try {
			lock = operation.all().isEmpty()
					? mutex.lock(resolveKey(operation, args, target), operation.block(), operation.expire(),
							operation.renew())
					: mutex.lockAll(resolveKeys(operation, args, target), operation.block(), operation.expire(),
							operation.renew());
		}
		catch (MutexLockException ex) {
			return onFailure(operation, args, target, ex);
		}
		Object result;
		ArrayDeque<MutexLock> running = active.get();
		running.addLast(lock);
		try {
			if (operation.tokenParameter() >= 0) {
				// The invocation's own argument array: the method receives the token in place of what was passed.
				args[operation.tokenParameter()] = lock.fencingToken();
			}
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			lock.release();
			throw ex;
		}
		finally {
			running.removeLastOccurrence(lock);
		}
		boolean released = lock.release();
		warnIfStillRunning(operation, result);
		if (!released) {
			throw new MutexLostException(lock.keys(), operation.describe() + " lost its key " + lock.keys()
					+ " before it returned (it expired or was taken over), so its work may have overlapped with "
					+ "another holder's; its result is withheld");
		}
		return result;
	}

	private MutexKey resolveKey(MutexOperation operation, @Nullable Object[] args, Object target) {
		if (operation.on().isEmpty()) {
			return new MutexKey(operation.name());
		}
		MutexKeyConverter converter = this.keyConverter.get();
		StringBuilder key = new StringBuilder(operation.name());
		for (String expression : operation.on()) {
			Object value = evaluate(operation, expression, args, target);
			key.append(':').append(convert(converter, operation, expression, value));
		}
		// Already converted value by value: the engine must not convert the whole text again.
		return new MutexKey(key.toString());
	}

	/**
	 * The locks of the {@code @AutoMutex} calls running on the calling thread, outermost first.
	 * @return a snapshot; empty outside such calls
	 */
	static List<MutexLock> activeLocks() {
		return List.copyOf(active.get());
	}

	/**
	 * An {@code @Async} method must finish its work before it returns: the key is released when it returns.
	 */
	private void warnIfStillRunning(MutexOperation operation, @Nullable Object result) {
		if (result instanceof Future<?> future && !future.isDone() && this.warnedStillRunning.add(operation.method())) {
			logger.warn("{} returned a future that was not done, and its key was released when it returned: the work "
					+ "still running is not protected. Finish the work in the method and return a completed future "
					+ "(CompletableFuture.completedFuture).", operation.describe());
		}
	}

	private List<MutexKey> resolveKeys(MutexOperation operation, @Nullable Object[] args, Object target) {
		MutexKeyConverter converter = this.keyConverter.get();
		List<MutexKey> keys = new ArrayList<>();
		for (String expression : operation.all()) {
			Object value = evaluate(operation, expression, args, target);
			for (Object element : elements(value)) {
				if (element == null) {
					throw new IllegalArgumentException("Key expression '" + expression + "' of " + operation.describe()
							+ " gave a null element, and null cannot be a mutex key");
				}
				keys.add(new MutexKey(operation.name() + ":" + convert(converter, operation, expression, element)));
			}
		}
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("Key expressions " + operation.all() + " of " + operation.describe()
					+ " gave no key (empty collections), so there is nothing to lock");
		}
		return keys;
	}

	private static Iterable<?> elements(Object value) {
		if (value instanceof Iterable<?> iterable) {
			return iterable;
		}
		if (value.getClass().isArray()) {
			return Arrays.asList(ObjectUtils.toObjectArray(value));
		}
		return List.of(value);
	}

	private Object evaluate(MutexOperation operation, String expression, @Nullable Object[] args, Object target) {
		Object value = this.source.evaluator()
			.evaluate(expression, operation.method(), operation.targetClass(), args, target, this.source.beanFactory());
		if (value == null) {
			throw new IllegalArgumentException("Key expression '" + expression + "' of " + operation.describe()
					+ " evaluated to null, and null cannot be a mutex key; pass a non-null value or check for "
					+ "null before the call");
		}
		return value;
	}

	private static String convert(MutexKeyConverter converter, MutexOperation operation, String expression,
			Object value) {
		try {
			return converter.toKey(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"Key expression '" + expression + "' of " + operation.describe() + ": " + ex.getMessage(), ex);
		}
	}

	private @Nullable Object onFailure(MutexOperation operation, @Nullable Object[] args, Object target,
			MutexLockException ex) throws Throwable {
		String handlerName = operation.afterFailure();
		BeanFactory beanFactory = this.source.beanFactory();
		if (handlerName == null || beanFactory == null) {
			throw ex;
		}
		MutexFailureHandler handler = beanFactory.getBean(handlerName, MutexFailureHandler.class);
		return handler.onFailure(new MutexFailure(ex.keys(), operation.method(), args, target, ex));
	}

}
