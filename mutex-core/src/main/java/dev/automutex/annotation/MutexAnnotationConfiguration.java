package dev.automutex.annotation;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * Configuration that registers the infrastructure for {@link AutoMutex} in
 * {@link AdviceMode#PROXY proxy} mode: the operation source that checks each method can
 * be proxied, and the advisor that has Spring AOP proxies apply the interceptor; the
 * interceptor and the startup check of every annotated bean class come from
 * {@link AbstractMutexAnnotationConfiguration}. Imported by {@link EnableAutoMutex} and
 * by the Spring Boot starter.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class MutexAnnotationConfiguration extends AbstractMutexAnnotationConfiguration {

	/**
	 * Bean name of the advisor.
	 */
	public static final String ADVISOR_BEAN_NAME = "dev.automutex.annotation.internalMutexAdvisor";

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexOperationSource mutexOperationSource() {
		return new MutexOperationSource(AdviceMode.PROXY);
	}

	@Bean(name = ADVISOR_BEAN_NAME)
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexOperationSourceAdvisor mutexAdvisor(MutexOperationSource mutexOperationSource,
			MutexInterceptor mutexInterceptor) {
		MutexOperationSourceAdvisor advisor = new MutexOperationSourceAdvisor(mutexOperationSource);
		advisor.setAdvice(mutexInterceptor);
		return advisor;
	}

}
