package dev.automutex.reliability;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import dev.automutex.reliability.worker.BadInputHandlers;
import dev.automutex.reliability.worker.BadInputService;
import dev.automutex.reliability.worker.BadInputService.Order;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.AopInvocationException;

/**
 * The {@code @AutoMutex} inputs of the bad-input battery, through
 * {@link BadInputService}: key expressions that throw or give no key when called, and
 * failure handlers that throw. An expression's error must name the expression and the
 * method; a handler's exception must reach the caller; nothing may stay held.
 */
final class AnnotationInputs {

	private AnnotationInputs() {
	}

	static void spel(BadInputBattery battery, BadInputService service) {
		battery.error("on = #order.missing.field", IllegalArgumentException.class,
				() -> service.missingProperty(new Order("1")), "#order.missing.field", "missingProperty");
		battery.error("on = #order.id, order null", IllegalArgumentException.class, () -> service.propertyOfNull(null),
				"#order.id", "propertyOfNull");
		battery.error("on = #ids[5], one id", IllegalArgumentException.class,
				() -> service.indexOutOfRange(List.of("a")), "#ids[5]", "indexOutOfRange");
		// SpEL's division throws the JVM's own ArithmeticException, not an
		// EvaluationException: it reaches the caller unchanged, naming no expression.
		Throwable division = battery.error("on = 10 / #count, count 0", ArithmeticException.class,
				() -> service.divideByZero(0), "by zero");
		battery.tally().note("10 / #count with count 0: " + division + " (unchanged, names no expression)");
		// The argument's own exception, thrown by a method the expression calls, reaches
		// the caller unchanged, as an action's exception does.
		battery.error("on = #order.explode(), which throws", IllegalStateException.class,
				() -> service.methodThrows(new Order("1")), "Order 1 cannot give a key");
		battery.error("on = #id, id null", IllegalArgumentException.class, () -> service.nullKey(null), "#id",
				"nullKey", "null");
		battery.error("all = #ids with a null element", IllegalArgumentException.class,
				() -> service.allWithNull(Arrays.asList("a", null)), "#ids", "allWithNull", "null");
		battery.error("all = #ids, empty list", IllegalArgumentException.class, () -> service.allWithNull(List.of()),
				"#ids", "allWithNull", "no key");
		ran(battery, "the methods still lock once given good input", () -> service.propertyOfNull(new Order("1")));
	}

	static void handlers(BadInputBattery battery, BadInputService service) throws Exception {
		busy(battery, "throwing handler, block 0s", "h1", () -> service.handlerThrows("h1"),
				IllegalStateException.class, BadInputHandlers.REFUSED, "bad-input:h1");
		busy(battery, "throwing handler, block 200ms", "h2", () -> service.handlerThrowsAfterWaiting("h2"),
				IllegalStateException.class, BadInputHandlers.REFUSED, "bad-input:h2");
		Throwable checked = busy(battery, "handler throwing a checked IOException", "h3",
				() -> service.handlerThrowsChecked("h3"), Exception.class, BadInputHandlers.REFUSED);
		if (checked instanceof UndeclaredThrowableException && checked.getCause() instanceof IOException) {
			battery.tally()
				.note("the checked IOException arrives wrapped in UndeclaredThrowableException (Spring AOP: the "
						+ "method does not declare it)");
		}
		busy(battery, "handler returning null for int", "h4", () -> service.handlerReturnsNullForPrimitive("h4"),
				AopInvocationException.class, "handlerReturnsNullForPrimitive");
		ran(battery, "throwing handler, key free: not called", () -> service.handlerThrows("h5"));
	}

	// The key is held by the second application while the call fails over to its handler.
	private static @Nullable Throwable busy(BadInputBattery battery, String input, String id, Callable<?> call,
			Class<? extends Throwable> type, String... words) throws Exception {
		Throwable thrown;
		try (BadInputHolder holder = BadInputHolder.hold(battery.second(), "bad-input:" + id)) {
			thrown = battery.attempt(input, type, () -> {
				try {
					return call.call();
				}
				catch (UndeclaredThrowableException ex) {
					// What the handler threw is the cause: judge by its message.
					throw (ex.getCause() instanceof Exception cause) ? new WrappedException(ex, cause) : ex;
				}
			}, words);
			if (!holder.isHeld()) {
				battery.tally().misbehaved(input, "the holder lost its key");
			}
		}
		battery.clean(input);
		return (thrown instanceof WrappedException wrapped) ? wrapped.original : thrown;
	}

	private static void ran(BadInputBattery battery, String input, Callable<?> call) {
		try {
			Object result = call.call();
			if ("ran".equals(result)) {
				battery.tally().correctLock(input);
			}
			else {
				battery.tally().misbehaved(input, "returned " + result);
			}
		}
		catch (Exception ex) {
			battery.tally().misbehaved(input, ex.toString());
		}
		battery.clean(input);
	}

	/**
	 * An {@link UndeclaredThrowableException}, judged by the message of what the handler
	 * threw.
	 */
	private static final class WrappedException extends Exception {

		private static final long serialVersionUID = 1L;

		private final transient Throwable original;

		WrappedException(UndeclaredThrowableException original, Exception cause) {
			super(cause.getMessage(), cause);
			this.original = original;
		}

	}

}
