package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Source of the {@link MutexOperation} of a method: finds {@link AutoMutex}, has it
 * parsed and checked once per method and class, and caches the result. The first time a
 * class is seen, every {@code @AutoMutex} method of it is checked, so that a mistake
 * anywhere in a bean's class fails when its proxy is created (that is, at startup for
 * singletons): an {@code on} expression that does not parse or names a parameter the
 * method lacks, a {@code block}/{@code expire} that is not a duration, an
 * {@code afterFailure} that is not a {@link MutexFailureHandler} bean, a method that the
 * {@link AdviceMode} in use cannot lock (in proxy mode one a proxy cannot intercept; in
 * AspectJ mode one that was not woven) or whose work runs after it returns; each throws
 * {@link IllegalStateException} naming the class, method and attribute.
 * <p>
 * Thread-safe. Parsing is done by a package-private {@code MutexAnnotationParser}.
 *
 * @since 0.1.0
 */
public class MutexOperationSource implements BeanFactoryAware {

	private static final Object NONE = new Object();

	private final Map<MethodClassKey, Object> cache = new ConcurrentHashMap<>(256);

	private final Set<Class<?>> validatedClasses = ConcurrentHashMap.newKeySet();

	private final AdviceMode mode;

	private volatile MutexAnnotationParser parser;

	/**
	 * Create a source for {@link AdviceMode#PROXY proxy} mode.
	 */
	public MutexOperationSource() {
		this(AdviceMode.PROXY);
	}

	/**
	 * Create a source whose checks fit the way the annotation is applied.
	 * @param mode {@link AdviceMode#PROXY} refuses private and final methods, which a
	 * proxy cannot intercept; {@link AdviceMode#ASPECTJ} accepts them and refuses methods
	 * that AspectJ did not weave
	 */
	public MutexOperationSource(AdviceMode mode) {
		Assert.notNull(mode, "AdviceMode must not be null");
		this.mode = mode;
		this.parser = new MutexAnnotationParser(null, mode);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.parser = new MutexAnnotationParser(beanFactory, this.mode);
	}

	/**
	 * The operation for a method called on an object of {@code targetClass}.
	 * @param method the method, possibly an interface method
	 * @param targetClass the class of the target object, or {@code null} for the method's
	 * declaring class
	 * @return the operation, or {@code null} if the method has no {@code @AutoMutex}
	 * @throws IllegalStateException if an annotation of the class is invalid
	 */
	public @Nullable MutexOperation getOperation(Method method, @Nullable Class<?> targetClass) {
		MutexOperationMetadata metadata = getMetadata(method, targetClass);
		return (metadata != null) ? metadata.operation() : null;
	}

	/**
	 * Check every {@link AutoMutex} method of a class, once per class.
	 * @param targetClass the class of a bean, possibly a CGLIB subclass
	 * @throws InvalidAutoMutexException naming every invalid method and attribute
	 */
	public void validate(Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		if (this.validatedClasses.contains(userClass)
				|| !AnnotationUtils.isCandidateClass(userClass, AutoMutex.class)) {
			return;
		}
		MutexAnnotationParser parser = this.parser;
		List<String> problems = new ArrayList<>();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(userClass,
				ReflectionUtils.USER_DECLARED_METHODS)) {
			try {
				this.cache.putIfAbsent(new MethodClassKey(method, userClass), orNone(parser.parse(method, userClass)));
			}
			catch (IllegalStateException ex) {
				problems.add(ex.getMessage());
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidAutoMutexException(String.join("\n", problems));
		}
		this.validatedClasses.add(userClass);
	}

	/**
	 * The prepared operation for a method called on an object of {@code targetClass}: one
	 * cache look-up once the method has been seen with that class.
	 * @param method the method, possibly an interface method
	 * @param targetClass the class of the target object, or {@code null} for the method's
	 * declaring class
	 * @return the metadata, or {@code null} if the method has no {@code @AutoMutex}
	 */
	@Nullable MutexOperationMetadata getMetadata(Method method, @Nullable Class<?> targetClass) {
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		Object cached = this.cache.get(cacheKey);
		if (cached == null) {
			cached = computeMetadata(method, targetClass);
			Object previous = this.cache.putIfAbsent(cacheKey, cached);
			cached = (previous != null) ? previous : cached;
		}
		return (cached != NONE) ? (MutexOperationMetadata) cached : null;
	}

	private Object computeMetadata(Method method, @Nullable Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass((targetClass != null) ? targetClass : method.getDeclaringClass());
		// Check the whole class the first time it is seen: Spring stops matching a
		// class at its first advised method, and a mistake further down must still fail
		// startup, not the first call.
		validate(userClass);
		Method specific = AopUtils.getMostSpecificMethod(method, userClass);
		MethodClassKey specificKey = new MethodClassKey(specific, userClass);
		Object cached = this.cache.get(specificKey);
		if (cached == null) {
			cached = orNone(this.parser.parse(specific, userClass));
			Object previous = this.cache.putIfAbsent(specificKey, cached);
			cached = (previous != null) ? previous : cached;
		}
		return cached;
	}

	private static Object orNone(@Nullable MutexOperationMetadata metadata) {
		return (metadata != null) ? metadata : NONE;
	}

}
