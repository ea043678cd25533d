package dev.automutex.annotation;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What {@link MutexAspectSupport} does around an {@link AutoMutex} call: the failure
 * handler is looked up once per method, not per failure; inside a caller's transaction
 * the key is kept until the transaction completes, unless it was found lost before the
 * method returned, which fails the call and so rolls the transaction back.
 */
@Timeout(30)
class MutexAspectSupportTests {

	@Test
	void failureHandlerIsLookedUpOnceHoweverOftenTheKeyIsBusy() throws Exception {
		CountingBeanFactory beanFactory = new CountingBeanFactory();
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(beanFactory)) {
			context.register(HandlerConfig.class);
			context.refresh();
			Service service = context.getBean(Service.class);
			MutexTemplate mutex = context.getBean(MutexTemplate.class);
			CountDownLatch taken = new CountDownLatch(1);
			CountDownLatch done = new CountDownLatch(1);
			CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
				try (MutexLock lock = mutex.lock("busy")) {
					taken.countDown();
					await(done);
				}
			});
			await(taken);
			assertThat(beanFactory.handlerLookups).hasValue(0);
			for (int i = 0; i < 3; i++) {
				assertThat(service.busy()).isEqualTo("refused");
			}
			assertThat(beanFactory.handlerLookups).as("look-ups of the handler bean after 3 failures").hasValue(1);
			done.countDown();
			holder.get(10, TimeUnit.SECONDS);
			assertThat(service.busy()).isEqualTo("ran");
		}
	}

	@Test
	void keyFoundLostBeforeTheMethodReturnsInACallersTransactionFailsTheCallAndRollsBack() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(LosingConfig.class)) {
			Service service = context.getBean(Service.class);
			RecordingTransactionManager transactions = context.getBean(RecordingTransactionManager.class);
			TransactionTemplate transaction = new TransactionTemplate(transactions);
			assertThatExceptionOfType(MutexLostException.class)
				.isThrownBy(() -> transaction.executeWithoutResult((status) -> service.checkHeld()))
				.withMessageContaining("Service.checkHeld() lost its key [checkHeld]");
			assertThat(transactions.events).containsExactly("rollback");
			assertThat(MutexTemplate.locksOfCurrentThread()).isEmpty();
		}
	}

	/**
	 * The method's own exception wins, and its key still waits for the caller's rollback.
	 */
	@Test
	void methodThatThrowsInACallersTransactionKeepsItsKeyUntilTheRollback() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(LocalConfig.class)) {
			Service service = context.getBean(Service.class);
			MutexTemplate mutex = context.getBean(MutexTemplate.class);
			RecordingTransactionManager transactions = context.getBean(RecordingTransactionManager.class);
			assertThatIllegalStateException()
				.isThrownBy(() -> new TransactionTemplate(transactions).executeWithoutResult((status) -> {
					try {
						service.fail();
					}
					finally {
						transactions.events.add("after the method, held: " + mutex.isLocked("fail"));
					}
				}))
				.withMessage("declined");
			assertThat(transactions.events).containsExactly("after the method, held: true", "rollback");
			assertThat(mutex.isLocked("fail")).isFalse();
			assertThat(MutexTemplate.locksOfCurrentThread()).isEmpty();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	static class Service {

		@AutoMutex(name = "busy", block = "0s", afterFailure = "refusal")
		public String busy() {
			return "ran";
		}

		/**
		 * Asks the store about the thread's locks, as a careful method might before an
		 * irreversible step.
		 */
		@AutoMutex(name = "checkHeld")
		public void checkHeld() {
			MutexTemplate.locksOfCurrentThread().forEach(MutexLock::isHeld);
		}

		@AutoMutex(name = "fail")
		public void fail() {
			throw new IllegalStateException("declined");
		}

	}

	/** Counts the look-ups of the failure handler bean. */
	static class CountingBeanFactory extends DefaultListableBeanFactory {

		final AtomicInteger handlerLookups = new AtomicInteger();

		@Override
		public <T> T getBean(String name, @Nullable Class<T> requiredType) throws BeansException {
			if (name.equals("refusal") && requiredType == MutexFailureHandler.class) {
				this.handlerLookups.incrementAndGet();
			}
			return super.getBean(name, requiredType);
		}

	}

	/**
	 * A transaction manager without a resource, which records how each transaction ended.
	 */
	static class RecordingTransactionManager extends AbstractPlatformTransactionManager {

		private static final long serialVersionUID = 1L;

		final Queue<String> events = new ConcurrentLinkedQueue<>();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.events.add("commit");
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			this.events.add("rollback");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class HandlerConfig {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Service service() {
			return new Service();
		}

		@Bean
		MutexFailureHandler refusal() {
			return (failure) -> "refused";
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LocalConfig extends HandlerConfig {

		@Bean
		RecordingTransactionManager transactionManager() {
			return new RecordingTransactionManager();
		}

	}

	/**
	 * With a store that has lost every key by the time anyone asks (as Redis after a
	 * restart).
	 */
	@Configuration(proxyBeanMethods = false)
	static class LosingConfig extends LocalConfig {

		@Override
		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(ForgetfulStore.losingEveryKey());
		}

	}

}
