package dev.automutex.aspectj;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInvocation;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.reflect.MethodSignature;
import org.jspecify.annotations.Nullable;

/**
 * An AspectJ method execution seen as the AOP Alliance {@link MethodInvocation} that
 * {@link dev.automutex.annotation.MutexInterceptor} takes. {@link #getArguments()} is an
 * array of this invocation's own, and {@link #proceed()} passes it on, so that an
 * argument the interceptor replaces (a {@code @FencingToken}) reaches the method.
 */
final class JoinPointInvocation implements MethodInvocation {

	private final ProceedingJoinPoint joinPoint;

	private final Object target;

	private final Method method;

	private final @Nullable Object[] arguments;

	JoinPointInvocation(ProceedingJoinPoint joinPoint, Object target) {
		this.joinPoint = joinPoint;
		this.target = target;
		this.method = ((MethodSignature) joinPoint.getSignature()).getMethod();
		this.arguments = joinPoint.getArgs();
	}

	@Override
	public Method getMethod() {
		return this.method;
	}

	@Override
	public @Nullable Object[] getArguments() {
		return this.arguments;
	}

	@Override
	public @Nullable Object proceed() throws Throwable {
		return this.joinPoint.proceed(this.arguments);
	}

	@Override
	public Object getThis() {
		return this.target;
	}

	@Override
	public AccessibleObject getStaticPart() {
		return this.method;
	}

}
