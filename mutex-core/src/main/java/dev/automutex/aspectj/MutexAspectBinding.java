package dev.automutex.aspectj;

import dev.automutex.annotation.MutexInterceptor;
import org.aspectj.lang.Aspects;
import org.aspectj.lang.NoAspectBoundException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Configures the {@link AutoMutexAspect} singleton with a context's
 * {@link MutexInterceptor} while the context is open: when created, and releases it when
 * the context closes.
 * <p>
 * A {@link BeanPostProcessor} that post-processes nothing, only so that the context
 * creates it, and so configures the aspect, before any application bean: a constructor or
 * {@code @PostConstruct} that calls an {@code @AutoMutex} method then finds the aspect
 * ready instead of failing. In proxy mode the interceptor is likewise created with the
 * auto-proxy creator, before the application beans.
 */
final class MutexAspectBinding implements BeanPostProcessor, DisposableBean {

	private final AutoMutexAspect aspect;

	private final MutexInterceptor interceptor;

	MutexAspectBinding(MutexInterceptor interceptor) {
		this.aspect = aspect();
		this.interceptor = interceptor;
		this.aspect.configure(interceptor);
	}

	private static AutoMutexAspect aspect() {
		try {
			return Aspects.aspectOf(AutoMutexAspect.class);
		}
		catch (NoAspectBoundException ex) {
			// The class in mutex-core's jar has aspectOf(), added by the AspectJ
			// compiler at build time; a copy compiled by javac alone has not.
			throw new IllegalStateException(AutoMutexAspect.class.getName() + " has no aspect instance: this copy "
					+ "of the class was not completed by the AspectJ compiler; use mutex-core's jar, or weave it "
					+ "with the rest of the application", ex);
		}
	}

	@Override
	public void destroy() {
		this.aspect.release(this.interceptor);
	}

}
