package dev.automutex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Proves the key rules of {@link DefaultMutexKeyConverter}: simple values, ids and own
 * {@code toString()} as documented, and that equal keys give equal text in every JVM
 * (sets and maps in a canonical order, records component by component) while text that
 * carries an identity hash anywhere inside a key is rejected.
 */
class DefaultMutexKeyConverterTests {

	private final DefaultMutexKeyConverter converter = new DefaultMutexKeyConverter();

	@Test
	void simpleValuesAreThemselves() {
		UUID uuid = UUID.fromString("7c9e6679-7425-40de-944b-e07fc1f90ae7");
		assertThat(this.converter.toKey("abc")).isEqualTo("abc");
		assertThat(this.converter.toKey(123456)).isEqualTo("123456");
		assertThat(this.converter.toKey(12L)).isEqualTo("12");
		assertThat(this.converter.toKey(true)).isEqualTo("true");
		assertThat(this.converter.toKey(uuid)).isEqualTo("7c9e6679-7425-40de-944b-e07fc1f90ae7");
		assertThat(this.converter.toKey(Color.RED)).isEqualTo("RED");
	}

	@Test
	void objectWithIdBecomesSimpleClassNameAndId() {
		assertThat(this.converter.toKey(new Room(123, "lobby"))).isEqualTo("Room:123");
		assertThat(this.converter.toKey(new Account(7L))).isEqualTo("Account:7");
	}

	@Test
	void lazyLoadingProxyMakesTheSameKeyAsTheEntity() {
		assertThat(this.converter.toKey(new Account$HibernateProxy$Xy12(7L))).isEqualTo("Account:7");
	}

	@Test
	void objectWithNullIdIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new Account(null)))
			.withMessageContaining("Account")
			.withMessageContaining("id is null");
	}

	@Test
	void objectWithOwnToStringUsesIt() {
		assertThat(this.converter.toKey(new Point())).isEqualTo("1,2");
	}

	@Test
	void objectWithOnlyIdentityToStringIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new Opaque()))
			.withMessageContaining(Opaque.class.getName())
			.withMessageContaining("identity hash");
	}

	@Test
	void emptyTextIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey("")).withMessageContaining("empty");
	}

	/**
	 * "Aa" and "BB" have the same hash code, so a HashSet iterates them in insertion
	 * order.
	 */
	@Test
	void equalSetsBuiltInDifferentOrdersGiveTheSameText() {
		assertThat(this.converter.toKey(new HashSet<>(List.of("Aa", "BB")))).isEqualTo("[Aa, BB]");
		assertThat(this.converter.toKey(new HashSet<>(List.of("BB", "Aa")))).isEqualTo("[Aa, BB]");
		assertThat(this.converter.toKey(new LinkedHashSet<>(List.of("b", "a", "c")))).isEqualTo("[a, b, c]");
		assertThat(this.converter.toKey(Set.of(new Account(2L), new Account(1L)))).isEqualTo("[Account:1, Account:2]");
	}

	/** Set.of iterates in an order salted per JVM. */
	@Test
	void setOfGivesTheSameTextAsASortedSetOfItsElements() {
		List<String> values = IntStream.range(0, 40).mapToObj((i) -> "k" + i).collect(Collectors.toList());
		String sorted = this.converter.toKey(new TreeSet<>(values));
		assertThat(this.converter.toKey(Set.copyOf(values))).isEqualTo(sorted);
		assertThat(sorted).isEqualTo(new TreeSet<>(values).toString());
	}

	@Test
	void equalMapsBuiltInDifferentOrdersGiveTheSameText() {
		Map<String, Integer> forwards = new LinkedHashMap<>();
		forwards.put("a", 1);
		forwards.put("b", 2);
		Map<String, Integer> backwards = new LinkedHashMap<>();
		backwards.put("b", 2);
		backwards.put("a", 1);
		Map<String, Integer> colliding = new HashMap<>();
		colliding.put("BB", 2);
		colliding.put("Aa", 1);
		assertThat(this.converter.toKey(forwards)).isEqualTo("{a=1, b=2}");
		assertThat(this.converter.toKey(backwards)).isEqualTo("{a=1, b=2}");
		assertThat(this.converter.toKey(Map.of("b", 2, "a", 1))).isEqualTo("{a=1, b=2}");
		assertThat(this.converter.toKey(colliding)).isEqualTo("{Aa=1, BB=2}");
	}

	@Test
	void listsAndArraysKeepTheirOrder() {
		assertThat(this.converter.toKey(List.of("b", "a"))).isEqualTo("[b, a]");
		assertThat(this.converter.toKey(new ArrayList<>(List.of(2, 1, 3)))).isEqualTo("[2, 1, 3]");
		assertThat(this.converter.toKey(new String[] { "b", "a" })).isEqualTo("[b, a]");
		assertThat(this.converter.toKey(new int[] { 3, 1 })).isEqualTo("[3, 1]");
		assertThat(this.converter.toKey(new Color[] { Color.RED })).isEqualTo("[RED]");
		assertThat(this.converter.toKey(List.of(List.of(1, 2), Set.of(4, 3)))).isEqualTo("[[1, 2], [3, 4]]");
	}

	@Test
	void recordWithoutIdIsConvertedComponentByComponentWithItsSetsInOrder() {
		Job forwards = new Job("report", new LinkedHashSet<>(List.of("a", "b")));
		Job backwards = new Job("report", new LinkedHashSet<>(List.of("b", "a")));
		assertThat(this.converter.toKey(forwards)).isEqualTo("Job[name=report, tags=[a, b]]");
		assertThat(this.converter.toKey(backwards)).isEqualTo("Job[name=report, tags=[a, b]]");
		assertThat(this.converter.toKey(new Batch(backwards, Map.of("y", 2, "x", 1))))
			.isEqualTo("Batch[job=Job[name=report, tags=[a, b]], counts={x=1, y=2}]");
	}

	/** Its components define a record's equality, so its own toString() is not used. */
	@Test
	void recordWithOwnToStringIsStillConvertedComponentByComponent() {
		assertThat(this.converter.toKey(new Labelled("x"))).isEqualTo("Labelled[label=x]");
	}

	@Test
	void recordHoldingAnObjectWithOnlyIdentityToStringIsRejectedNamingTheComponent() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new Holder("a", new Opaque())))
			.withMessageContaining(Opaque.class.getName())
			.withMessageContaining("component 'lock' of Holder");
	}

	@Test
	void ownToStringEmbeddingAnIdentityHashIsRejected() {
		Object lock = new Object();
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new Task(lock)))
			.withMessageContaining(Task.class.getName())
			.withMessageContaining(lock.toString())
			.withMessageContaining("pass a String key");
		Runnable lambda = () -> {
		};
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new Task(lambda)))
			.withMessageContaining(lambda.toString());
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new Task(new int[] { 1 })))
			.withMessageContaining(Task.class.getName());
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(List.of(new Task(lock))))
			.withMessageContaining("element at index 0 of a List");
	}

	@Test
	void textThatOnlyLooksLikeAnIdentityHashIsAccepted() {
		assertThat(this.converter.toKey(new Mailbox("user@cafe"))).isEqualTo("user@cafe");
		assertThat(this.converter.toKey(new Mailbox("john.doe@example.com"))).isEqualTo("john.doe@example.com");
		assertThat(this.converter.toKey(new Mailbox("john.doe@cafe.de"))).isEqualTo("john.doe@cafe.de");
		assertThat(this.converter.toKey(new Mailbox("java.lang.Object@cafebabe1")))
			.isEqualTo("java.lang.Object@cafebabe1");
		assertThat(this.converter.toKey(new Mailbox("dev.automutex.Nothing@1b6d3586")))
			.isEqualTo("dev.automutex.Nothing@1b6d3586");
	}

	@Test
	void nullInsideAKeyIsRejectedNamingItsPosition() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(Arrays.asList("a", "b", null)))
			.withMessageContaining("element at index 2 of a List");
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(new String[] { null }))
			.withMessageContaining("element at index 0 of a String[]");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.converter.toKey(new HashSet<>(Arrays.asList("a", null))))
			.withMessageContaining("an element of a Set");
		Map<String, String> map = new HashMap<>();
		map.put("x", null);
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(map))
			.withMessageContaining("value of key 'x' of a Map");
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(List.of(map)))
			.withMessageContaining("value of key 'x' of a Map, in element at index 0 of a List");
	}

	@Test
	void structuralCharactersAreEscapedInsideStructures() {
		assertThat(this.converter.toKey(Set.of("a, b"))).isEqualTo("[a\\, b]")
			.isNotEqualTo(this.converter.toKey(Set.of("a", "b")));
		assertThat(this.converter.toKey(List.of("[1, 2]"))).isEqualTo("[\\[1\\, 2\\]]")
			.isNotEqualTo(this.converter.toKey(List.of(List.of(1, 2))));
		assertThat(this.converter.toKey(Map.of("a=b", "c"))).isEqualTo("{a\\=b=c}")
			.isNotEqualTo(this.converter.toKey(Map.of("a", "b=c")));
		assertThat(this.converter.toKey(List.of("a\\", "b"))).isEqualTo("[a\\\\, b]");
		assertThat(this.converter.toKey(new Job("a, tags=[]", Set.of())))
			.isEqualTo("Job[name=a\\, tags\\=\\[\\], tags=[]]");
		assertThat(this.converter.toKey("a, b")).isEqualTo("a, b");
	}

	/**
	 * A collection holding only an empty text would be the same text as an empty
	 * collection.
	 */
	@Test
	void emptyElementIsRejected() {
		assertThat(this.converter.toKey(List.of())).isEqualTo("[]");
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(List.of("")))
			.withMessageContaining("element at index 0 of a List")
			.withMessageContaining("empty");
	}

	enum Color {

		RED {
			@Override
			public String toString() {
				return "red!";
			}
		}

	}

	record Room(long id, String name) {
	}

	public static class Account {

		private final Long id;

		Account(Long id) {
			this.id = id;
		}

		public Long getId() {
			return this.id;
		}

	}

	/** Named the way Hibernate names the lazy-loading proxy of an entity. */
	public static class Account$HibernateProxy$Xy12 extends Account {

		Account$HibernateProxy$Xy12(Long id) {
			super(id);
		}

	}

	static class Point {

		@Override
		public String toString() {
			return "1,2";
		}

	}

	static class Opaque {

	}

	record Job(String name, Set<String> tags) {
	}

	record Batch(Job job, Map<String, Integer> counts) {
	}

	record Holder(String name, Opaque lock) {
	}

	record Labelled(String label) {

		@Override
		public String toString() {
			return "label " + this.label;
		}

	}

	/** A hand-written toString() that embeds the identity text of a field. */
	static class Task {

		private final Object lock;

		Task(Object lock) {
			this.lock = lock;
		}

		@Override
		public String toString() {
			return "Task{lock=" + this.lock + "}";
		}

	}

	/** A toString() that is only its text, which may contain an {@code @}. */
	static class Mailbox {

		private final String address;

		Mailbox(String address) {
			this.address = address;
		}

		@Override
		public String toString() {
			return this.address;
		}

	}

}
