package dev.automutex.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Run the annotated method while holding a mutex, like redis-mutex's {@code auto_mutex}:
 * <pre class="code">
 * &#64;AutoMutex(on = "#transactionId")
 * public void perform(String transactionId) { ... }   // key "ItunesVerifier#perform:123456"
 * </pre>
 * <p>
 * The key is {@code SimpleClassName#method} when {@link #on()} is empty (one lock for the
 * method, whatever the arguments), else {@code SimpleClassName#method:v1:v2...} from the
 * values of the {@code on} expressions, each converted like any {@code MutexTemplate}
 * key. {@link #name()} replaces {@code SimpleClassName#method}.
 * <p>
 * When the key cannot be had within {@link #block()}, the method does not run: the
 * {@link MutexFailureHandler} named by {@link #afterFailure()} supplies the result, or,
 * without one, {@link dev.automutex.MutexLockException} reaches the caller.
 * <p>
 * The key is released when the method returns or throws; but when the method is called
 * inside a transaction that is already running (a {@code @Transactional} caller), it is
 * released only after that transaction has committed or rolled back, so that the next
 * holder sees the committed work. On a method that is itself {@code @Transactional}, the
 * key is taken before its transaction begins and released after it ends.
 * <p>
 * Every attribute is checked when the bean is created, so a mistake fails startup with a
 * message naming the class, method and attribute. By default the annotation works through
 * Spring AOP proxies: calls from the same object ({@code this.perform(...)}) do not go
 * through the proxy and are not locked, and the method must not be private, final or
 * static. To lock such self-calls and private methods too, enable AspectJ weaving with
 * {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)} (see {@link EnableAutoMutex}). In
 * both modes, static methods are refused. It needs a blocking method: Kotlin
 * {@code suspend} functions and methods returning a Kotlin {@code Flow}, a
 * {@code Flow.Publisher} or a Reactive Streams {@code Publisher} are refused at startup,
 * as their work runs after the method has returned.
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AutoMutex {

	/**
	 * SpEL expressions over the method's arguments whose values scope the key:
	 * {@code #transactionId}, {@code #order.id}, {@code #p0}. Empty: one key for the
	 * method.
	 * @return the expressions
	 */
	String[] on() default {};

	/**
	 * SpEL expressions whose values are locked as separate keys, all together or none,
	 * like {@code MutexTemplate.lockAll}: {@code all = {"#buyer.id", "#seller.id"}} with
	 * {@code name = "account"} locks {@code account:1} and {@code account:2}. A value
	 * that is a collection or an array gives one key per element. Each key is
	 * {@code <name>:<value>}, where the name is {@link #name()} or
	 * {@code SimpleClassName#method}. Use either {@code on} (one key from all values) or
	 * {@code all}.
	 * @return the expressions
	 */
	String[] all() default {};

	/**
	 * Replaces {@code SimpleClassName#method} in the key, for example to share one key
	 * between methods.
	 * @return the key name, or empty for {@code SimpleClassName#method}
	 */
	String name() default "";

	/**
	 * How long to wait for a busy key: {@code 0s} (do not wait), {@code 500ms},
	 * {@code PT2S}, or a {@code ${...}} placeholder. Empty: {@code mutex.block}.
	 * @return the wait, as duration text
	 */
	String block() default "";

	/**
	 * How long the store keeps the key if it is never released (the process died):
	 * {@code 30s}, {@code PT1M}, or a {@code ${...}} placeholder. Empty:
	 * {@code mutex.expire}. Ignored by the local store.
	 * @return the time-to-live, as duration text
	 */
	String expire() default "";

	/**
	 * Whether the key is renewed while the method runs, in stores with expiry (Redis):
	 * {@code true}, {@code false}, or a {@code ${...}} placeholder. Empty:
	 * {@code mutex.renew}.
	 * @return the setting, as text
	 */
	String renew() default "";

	/**
	 * Name of a {@link MutexFailureHandler} bean that supplies the method's result when
	 * the key is busy, or {@link MutexFailureHandler#SKIP} to skip the call quietly (a
	 * scheduled job another instance is running). Empty: throw
	 * {@link dev.automutex.MutexLockException}.
	 * @return the bean name
	 */
	String afterFailure() default "";

	/**
	 * How long the key stays held at least after the method started, even when it returns
	 * sooner: {@code 1s}, {@code PT5M}, or a {@code ${...}} placeholder (ShedLock's
	 * {@code lockAtLeastFor}). For a {@code @Scheduled} job on several instances whose
	 * clocks or schedules differ slightly: with {@code block = "0s"} and
	 * {@code afterFailure = MutexFailureHandler.SKIP}, the job runs at most once per
	 * {@code holdAtLeast} in all. Empty: released when the method returns.
	 * @return the minimum hold, as duration text
	 */
	String holdAtLeast() default "";

}
