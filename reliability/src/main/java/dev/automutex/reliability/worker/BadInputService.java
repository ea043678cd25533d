package dev.automutex.reliability.worker;

import java.util.List;

import dev.automutex.annotation.AutoMutex;

import org.springframework.stereotype.Service;

/**
 * {@code @AutoMutex} methods for the reliability suite's bad-input battery (scenario 6):
 * key expressions that are valid at startup but throw, or give no key, when called with
 * the wrong arguments, and failure handlers that throw. Each method returns
 * {@code "ran"}.
 *
 * @since 0.1.0
 */
@Service
public class BadInputService {

	/**
	 * A property that the argument's type does not have: SpEL fails at call time.
	 * @param order the order
	 * @return {@code "ran"}
	 */
	@AutoMutex(on = "#order.missing.field", block = "0s")
	public String missingProperty(Order order) {
		return "ran";
	}

	/**
	 * A property of an argument that may be {@code null}.
	 * @param order the order, {@code null} in the battery
	 * @return {@code "ran"}
	 */
	@AutoMutex(on = "#order.id", block = "0s")
	public String propertyOfNull(Order order) {
		return "ran";
	}

	/**
	 * A list element past the end.
	 * @param ids the ids
	 * @return {@code "ran"}
	 */
	@AutoMutex(on = "#ids[5]", block = "0s")
	public String indexOutOfRange(List<String> ids) {
		return "ran";
	}

	/**
	 * A method on the argument that throws.
	 * @param order the order
	 * @return {@code "ran"}
	 */
	@AutoMutex(on = "#order.explode()", block = "0s")
	public String methodThrows(Order order) {
		return "ran";
	}

	/**
	 * An arithmetic error in the expression.
	 * @param count the count, {@code 0} in the battery
	 * @return {@code "ran"}
	 */
	@AutoMutex(on = "10 / #count", block = "0s")
	public String divideByZero(int count) {
		return "ran";
	}

	/**
	 * A key that is {@code null}.
	 * @param id the id, {@code null} in the battery
	 * @return {@code "ran"}
	 */
	@AutoMutex(on = "#id", block = "0s")
	public String nullKey(String id) {
		return "ran";
	}

	/**
	 * An {@code all} list with a {@code null} element.
	 * @param ids the ids
	 * @return {@code "ran"}
	 */
	@AutoMutex(all = "#ids", block = "0s")
	public String allWithNull(List<String> ids) {
		return "ran";
	}

	/**
	 * A busy key answered by a handler that throws an unchecked exception.
	 * @param id the key
	 * @return {@code "ran"}
	 */
	@AutoMutex(name = "bad-input", on = "#id", block = "0s", afterFailure = "throwingHandler")
	public String handlerThrows(String id) {
		return "ran";
	}

	/**
	 * A busy key, waited for briefly, answered by a handler that throws.
	 * @param id the key
	 * @return {@code "ran"}
	 */
	@AutoMutex(name = "bad-input", on = "#id", block = "200ms", afterFailure = "throwingHandler")
	public String handlerThrowsAfterWaiting(String id) {
		return "ran";
	}

	/**
	 * A busy key answered by a handler that throws a checked exception the method does
	 * not declare.
	 * @param id the key
	 * @return {@code "ran"}
	 */
	@AutoMutex(name = "bad-input", on = "#id", block = "0s", afterFailure = "checkedThrowingHandler")
	public String handlerThrowsChecked(String id) {
		return "ran";
	}

	/**
	 * A busy key answered by a handler that returns {@code null} for a primitive.
	 * @param id the key
	 * @return never {@code null}
	 */
	@AutoMutex(name = "bad-input", on = "#id", block = "0s", afterFailure = "nullHandler")
	public int handlerReturnsNullForPrimitive(String id) {
		return 1;
	}

	/**
	 * Waits long for a busy key (the interrupt battery).
	 * @param id the key
	 * @return {@code "ran"}
	 */
	@AutoMutex(name = "bad-input", on = "#id", block = "30s")
	public String waitLong(String id) {
		return "ran";
	}

	/**
	 * An argument with an id and a method that throws.
	 *
	 * @param id the id, or {@code null}
	 */
	public record Order(String id) {

		/**
		 * Throw, as a key method of a broken argument might.
		 * @return never
		 */
		public String explode() {
			throw new IllegalStateException("Order " + this.id + " cannot give a key");
		}

	}

}
