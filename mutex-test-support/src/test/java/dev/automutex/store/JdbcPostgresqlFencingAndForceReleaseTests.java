package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.TestDatabase;
import dev.automutex.test.store.AbstractFencingMutexStoreContractTests;
import dev.automutex.test.store.AbstractForceReleasableMutexStoreContractTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * {@link JdbcMutexStore} on PostgreSQL: the fencing and force-release contracts.
 */
class JdbcPostgresqlFencingAndForceReleaseTests {

	private final JdbcTestStores stores = new JdbcTestStores(TestDatabase.POSTGRESQL);

	@AfterEach
	void closeStores() {
		this.stores.close();
	}

	@Nested
	class Fencing extends AbstractFencingMutexStoreContractTests {

		@Override
		protected FencingMutexStore createStore() {
			return JdbcPostgresqlFencingAndForceReleaseTests.this.stores.newRegion(Duration.ofSeconds(30));
		}

	}

	@Nested
	class ForceRelease extends AbstractForceReleasableMutexStoreContractTests {

		@Override
		protected ForceReleasableMutexStore createStore() {
			return JdbcPostgresqlFencingAndForceReleaseTests.this.stores.newRegion(Duration.ofSeconds(30));
		}

		@Override
		protected MutexStore createStoreOfAnotherInstance() {
			return JdbcPostgresqlFencingAndForceReleaseTests.this.stores.sameRegion(Duration.ofSeconds(30));
		}

	}

}
