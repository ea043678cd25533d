package dev.automutex;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DefaultMutexKeyConverterTests {

	private final DefaultMutexKeyConverter converter = new DefaultMutexKeyConverter();

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
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.toKey(""))
			.withMessageContaining("empty");
	}

}
