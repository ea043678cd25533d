package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.TestDatabase;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link JdbcMutexStore} on PostgreSQL: the contract of every store with renewable
 * leases.
 */
class JdbcPostgresqlContractTests extends AbstractRenewableMutexStoreContractTests {

	private static final JdbcTestStores stores = new JdbcTestStores(TestDatabase.POSTGRESQL);

	@AfterAll
	static void closeStores() {
		stores.close();
	}

	@Override
	protected RenewableMutexStore createStore() {
		return stores.newRegion(Duration.ofSeconds(30));
	}

	@Override
	protected RenewableMutexStore createOtherInstance() {
		return stores.sameRegion(Duration.ofSeconds(30));
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		stores.removeBehindTheHoldersBack(key);
	}

}
