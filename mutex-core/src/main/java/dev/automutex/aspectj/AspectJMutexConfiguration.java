package dev.automutex.aspectj;

import dev.automutex.annotation.AbstractMutexAnnotationConfiguration;
import dev.automutex.annotation.MutexInterceptor;
import dev.automutex.annotation.MutexOperationSource;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * Configuration that registers the infrastructure for
 * {@link dev.automutex.annotation.AutoMutex} in {@link AdviceMode#ASPECTJ AspectJ} mode,
 * imported by {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)}, as Spring's
 * {@code AspectJCachingConfiguration} is by {@code @EnableCaching}: no advisor and no
 * proxies, an operation source whose startup check accepts private and final methods and
 * refuses methods that AspectJ did not weave, and the {@link AutoMutexAspect} singleton
 * configured with the context's {@link MutexInterceptor}. The interceptor and the startup
 * check of every annotated bean class come from
 * {@link AbstractMutexAnnotationConfiguration}.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class AspectJMutexConfiguration extends AbstractMutexAnnotationConfiguration {

	/**
	 * Bean name of what configures {@link AutoMutexAspect} for this context.
	 */
	public static final String ASPECT_BINDING_BEAN_NAME = "dev.automutex.aspectj.internalMutexAspectBinding";

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexOperationSource mutexOperationSource() {
		return new MutexOperationSource(AdviceMode.ASPECTJ);
	}

	@Bean(name = ASPECT_BINDING_BEAN_NAME)
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexAspectBinding mutexAspectBinding(MutexInterceptor mutexInterceptor) {
		return new MutexAspectBinding(mutexInterceptor);
	}

}
