package dev.automutex.autoconfigure;

import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.annotation.InvalidAutoMutexException;
import dev.automutex.annotation.MutexAnnotationConfiguration;
import dev.automutex.annotation.MutexInterceptor;
import dev.automutex.annotation.MutexOperationSource;
import dev.automutex.aspectj.AspectJMutexConfiguration;
import dev.automutex.autoconfigure.MutexAutoConfiguration.AutoMutexProxyConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter enables {@code @AutoMutex} in proxy mode, and backs off when the
 * application declares {@code @EnableAutoMutex} itself, so that an application in AspectJ
 * mode gets no proxies besides and no method is locked twice. No AspectJ agent runs here:
 * {@code samples/aspectj} tests the woven application.
 */
class AutoMutexAdviceModeTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, MutexAutoConfiguration.class))
		.withPropertyValues("mutex.store=local");

	@Test
	void withoutEnableAutoMutexTheStarterProxiesAnnotatedBeans() {
		this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AutoMutexProxyConfiguration.class);
			assertThat(context).hasBean(MutexAnnotationConfiguration.ADVISOR_BEAN_NAME);
			assertThat(AopUtils.isAopProxy(context.getBean(Service.class))).isTrue();
		});
	}

	@Test
	void applicationInAspectJModeGetsNoProxiesFromTheStarter() {
		this.contextRunner.withUserConfiguration(AspectJModeConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(AutoMutexProxyConfiguration.class);
			assertThat(context).doesNotHaveBean(MutexAnnotationConfiguration.class);
			assertThat(context).doesNotHaveBean(MutexAnnotationConfiguration.ADVISOR_BEAN_NAME);
			assertThat(context).hasSingleBean(AspectJMutexConfiguration.class);
			assertThat(context).hasSingleBean(MutexInterceptor.class);
			assertThat(context).hasSingleBean(MutexOperationSource.class);
		});
	}

	@Test
	void applicationInAspectJModeWithAnUnwovenMethodFailsStartupNamingTheAgent() {
		this.contextRunner.withUserConfiguration(AspectJModeConfiguration.class, ServiceConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOf(InvalidAutoMutexException.class)
					.hasMessageContaining("Invalid @AutoMutex on " + Service.class.getName() + ".perform(String)")
					.hasMessageContaining("AspectJ did not weave AutoMutex's aspect into the method")
					.hasMessageContaining("-javaagent:aspectjweaver.jar");
			});
	}

	@Test
	void applicationsOwnProxyModeIsUsedAsDeclared() {
		this.contextRunner.withUserConfiguration(ClassProxiesConfiguration.class, ServiceConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(AutoMutexProxyConfiguration.class);
				assertThat(context).hasSingleBean(MutexInterceptor.class);
				assertThat(context).hasBean(MutexAnnotationConfiguration.ADVISOR_BEAN_NAME);
				assertThat(AopUtils.isCglibProxy(context.getBean(Service.class))).isTrue();
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(mode = AdviceMode.ASPECTJ)
	static class AspectJModeConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class ClassProxiesConfiguration {

	}

	static class Service {

		@AutoMutex(on = "#id")
		public String perform(String id) {
			return id;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		@Bean
		Service service() {
			return new Service();
		}

	}

}
