package dev.automutex.annotation;

import java.lang.reflect.Method;

import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Pointcut that matches methods with an {@link AutoMutex}, as found by a
 * {@link MutexOperationSource}. Matching parses the annotation, so an invalid one fails
 * the creation of its bean's proxy.
 */
class MutexOperationSourcePointcut extends StaticMethodMatcherPointcut {

	private final MutexOperationSource source;

	MutexOperationSourcePointcut(MutexOperationSource source) {
		this.source = source;
		setClassFilter((clazz) -> AnnotationUtils.isCandidateClass(clazz, AutoMutex.class));
	}

	@Override
	public boolean matches(Method method, Class<?> targetClass) {
		return this.source.getOperation(method, targetClass) != null;
	}

}
