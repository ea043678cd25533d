package dev.automutex.annotation;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers Spring's infrastructure auto-proxy creator (unless a more capable one is
 * there already) so that {@link MutexOperationSourceAdvisor} is applied to beans.
 */
class MutexAutoProxyRegistrar implements ImportBeanDefinitionRegistrar {

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
		@Nullable Map<String, @Nullable Object> attributes = metadata.getAnnotationAttributes(EnableAutoMutex.class.getName());
		if (attributes != null && Boolean.TRUE.equals(attributes.get("proxyTargetClass"))) {
			AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
		}
	}

}
