package dev.automutex.store;

import dev.automutex.test.store.AbstractFencingMutexStoreContractTests;

class LocalMutexStoreFencingContractTests extends AbstractFencingMutexStoreContractTests {

	@Override
	protected FencingMutexStore createStore() {
		return new LocalMutexStore();
	}

}
