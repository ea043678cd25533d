package dev.automutex.annotation;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.core.Ordered;

/**
 * Advisor that applies {@link MutexInterceptor} to {@link AutoMutex} methods.
 * <p>
 * Its order, {@link #DEFAULT_ORDER}, puts it outside Spring's transaction advisor (which
 * defaults to {@link Ordered#LOWEST_PRECEDENCE}): on a method or call path that is also
 * {@code @Transactional}, the key is taken before the transaction begins and released
 * after it commits or rolls back, so the next holder sees the committed data. A key taken
 * inside a transaction that was already running (a caller's) is likewise released after
 * that transaction completes.
 *
 * @since 0.1.0
 */
public class MutexOperationSourceAdvisor extends AbstractBeanFactoryPointcutAdvisor {

	private static final long serialVersionUID = 1L;

	/**
	 * Default order: just outside transactions.
	 */
	public static final int DEFAULT_ORDER = Ordered.LOWEST_PRECEDENCE - 1000;

	private final transient MutexOperationSourcePointcut pointcut;

	/**
	 * Create an advisor.
	 * @param source where the annotations are parsed
	 */
	public MutexOperationSourceAdvisor(MutexOperationSource source) {
		this.pointcut = new MutexOperationSourcePointcut(source);
		setOrder(DEFAULT_ORDER);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

}
