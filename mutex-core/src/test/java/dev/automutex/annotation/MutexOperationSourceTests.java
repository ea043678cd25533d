package dev.automutex.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class MutexOperationSourceTests {

	private final DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();

	private final MutexOperationSource source = new MutexOperationSource();

	MutexOperationSourceTests() {
		this.beanFactory.registerSingleton("busy", (MutexFailureHandler) (failure) -> null);
		this.beanFactory.registerBeanDefinition("notAHandler", new RootBeanDefinition(String.class));
		this.beanFactory.addEmbeddedValueResolver((text) -> text.replace("${wait}", "250ms"));
		this.source.setBeanFactory(this.beanFactory);
	}

	@Test
	void validAnnotationBecomesOperation() {
		MutexOperation operation = operation("valid");
		assertThat(operation.name()).isEqualTo("Annotated#valid");
		assertThat(operation.on()).containsExactly("#transactionId", "#p1");
		assertThat(operation.block()).isEqualTo(Duration.ZERO);
		assertThat(operation.expire()).isEqualTo(Duration.ofSeconds(2));
		assertThat(operation.afterFailure()).isEqualTo("busy");
	}

	@Test
	void emptyAttributesMeanDefaults() {
		MutexOperation operation = operation("defaults");
		assertThat(operation.name()).isEqualTo("Annotated#defaults");
		assertThat(operation.on()).isEmpty();
		assertThat(operation.block()).isNull();
		assertThat(operation.expire()).isNull();
		assertThat(operation.afterFailure()).isNull();
	}

	@Test
	void placeholdersAreResolved() {
		assertThat(operation("placeholder").block()).isEqualTo(Duration.ofMillis(250));
	}

	@Test
	void methodWithoutAnnotationHasNoOperation() {
		assertThat(this.source.getOperation(method(Annotated.class, "plain"), Annotated.class)).isNull();
	}

	@Test
	void expressionThatDoesNotParseFailsNamingClassMethodAndAttribute() {
		assertInvalid("unparsable", "on[0] '#id +'", "does not parse");
	}

	@Test
	void expressionNamingMissingParameterFailsListingTheParameters() {
		assertInvalid("unknownParameter", "on[0] '#transactionID'", "not a parameter of unknownParameter",
				"#transactionId or #p0");
	}

	@Test
	void badDurationsFailNamingTheAttribute() {
		assertInvalid("badBlock", "block '5 seconds'", "not a duration");
		assertInvalid("bareNumber", "block '5'", "has no unit");
		assertInvalid("negativeBlock", "block '-1s'", "zero or positive");
		assertInvalid("zeroExpire", "expire '0s'", "positive");
	}

	@Test
	void missingOrWrongFailureHandlerFails() {
		assertInvalid("missingHandler", "afterFailure 'nobody'", "names no bean");
		assertInvalid("wrongHandler", "afterFailure 'notAHandler'", "java.lang.String", "not a");
	}

	@Test
	void finalMethodFailsBecauseProxyCannotInterceptIt() {
		assertInvalid("finalMethod", "final", "cannot intercept");
	}

	@Test
	void asynchronousReturnTypeFailsBecauseKeyWouldBeReleasedBeforeTheWork() {
		assertInvalid("asynchronous", "returns a CompletableFuture", "unprotected");
	}

	@Test
	void renewMustBeTrueOrFalse() {
		assertInvalid("badRenew", "renew 'maybe' is not true or false");
		assertThat(operation("valid").renew()).isFalse();
		assertThat(operation("defaults").renew()).isNull();
	}

	@Test
	void skipNeedsNoBeanAndHoldAtLeastIsADuration() {
		MutexOperation operation = operation("skipped");
		assertThat(operation.afterFailure()).isEqualTo(MutexFailureHandler.SKIP);
		assertThat(operation.holdAtLeast()).isEqualTo(Duration.ofMillis(250));
		assertThat(operation("defaults").holdAtLeast()).isNull();
		assertInvalid("skipReturningInt", "MutexFailureHandler.SKIP returns null", "returning int");
		assertInvalid("negativeHold", "holdAtLeast '-1s'", "zero or positive");
	}

	@Test
	void onAndAllTogetherFail() {
		assertInvalid("onAndAll", "on and all are both given");
	}

	@Test
	void invalidMethodFailsEvenWhenAValidOneIsAskedForFirst() {
		Method first = method(ValidThenInvalid.class, "first");
		assertThatIllegalStateException().isThrownBy(() -> this.source.getOperation(first, ValidThenInvalid.class))
			.withMessageContaining(ValidThenInvalid.class.getName() + ".second(String)")
			.withMessageContaining("on[0] '#idd'");
	}

	@Test
	void everyInvalidMethodOfAClassIsReportedAtOnce() {
		assertThatIllegalStateException().isThrownBy(() -> this.source.validate(Invalid.class))
			.satisfies((ex) -> assertThat(ex.getMessage().lines()).hasSize(15));
	}

	@Test
	void allProblemsOfOneMethodAreReportedTogether() {
		assertInvalid("severalProblems", "on[0] '#nope'", "block 'soon'");
	}

	private void assertInvalid(String methodName, String... messageParts) {
		Method method = method(Invalid.class, methodName);
		String prefix = "Invalid @AutoMutex on " + Invalid.class.getName() + "." + methodName + "(";
		assertThatIllegalStateException().isThrownBy(() -> this.source.getOperation(method, Invalid.class))
			.satisfies((ex) -> assertThat(ex.getMessage().lines().filter((line) -> line.startsWith(prefix)))
				.singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
				.contains(messageParts));
	}

	private MutexOperation operation(String methodName) {
		MutexOperation operation = this.source.getOperation(method(Annotated.class, methodName), Annotated.class);
		assertThat(operation).isNotNull();
		return operation;
	}

	private static Method method(Class<?> type, String name) {
		for (Method method : ReflectionUtils.getAllDeclaredMethods(type)) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	static class Annotated {

		@AutoMutex(on = { "#transactionId", "#p1" }, block = "0s", expire = "PT2S", afterFailure = "busy",
				renew = "false")
		public void valid(String transactionId, List<String> items) {
		}

		@AutoMutex
		public void defaults() {
		}

		@Scheduled
		public void skipped() {
		}

		@AutoMutex(block = "${wait}")
		public void placeholder() {
		}

		public void plain() {
		}

	}

	/**
	 * A scheduled job that runs once per cluster.
	 */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@AutoMutex(block = "0s", holdAtLeast = "${wait}", afterFailure = MutexFailureHandler.SKIP)
	@interface Scheduled {

	}

	static class Invalid {

		@AutoMutex(afterFailure = MutexFailureHandler.SKIP)
		public int skipReturningInt() {
			return 1;
		}

		@AutoMutex(holdAtLeast = "-1s")
		public void negativeHold() {
		}

		@AutoMutex(on = "#id +")
		public void unparsable(String id) {
		}

		@AutoMutex(on = "#transactionID")
		public void unknownParameter(String transactionId) {
		}

		@AutoMutex(block = "5 seconds")
		public void badBlock() {
		}

		@AutoMutex(block = "5")
		public void bareNumber() {
		}

		@AutoMutex(block = "-1s")
		public void negativeBlock() {
		}

		@AutoMutex(expire = "0s")
		public void zeroExpire() {
		}

		@AutoMutex(afterFailure = "nobody")
		public void missingHandler() {
		}

		@AutoMutex(afterFailure = "notAHandler")
		public void wrongHandler() {
		}

		@AutoMutex
		public final void finalMethod() {
		}

		@AutoMutex(on = "#nope", block = "soon")
		public void severalProblems(String id) {
		}

		@AutoMutex(on = "#a", all = "#b")
		public void onAndAll(String a, String b) {
		}

		@AutoMutex(renew = "maybe")
		public void badRenew() {
		}

		@AutoMutex
		public CompletableFuture<String> asynchronous() {
			return CompletableFuture.completedFuture("done");
		}

	}

	static class ValidThenInvalid {

		@AutoMutex(on = "#id")
		public void first(String id) {
		}

		@AutoMutex(on = "#idd")
		public void second(String id) {
		}

	}

}
