package dev.automutex.sample.bootdefault;

/**
 * Told by {@link TicketOffice} when a sale enters and leaves its critical section (inside
 * the show's mutex). The application has none; a test registers one to see whether two
 * sales, from any instance, were ever inside at once.
 */
public interface SaleObserver {

	/**
	 * The observer used when the application defines none: it does nothing.
	 */
	SaleObserver NONE = new SaleObserver() {

		@Override
		public void entered(String show) {
		}

		@Override
		public void left(String show) {
		}

	};

	/**
	 * A sale of the show entered the critical section.
	 * @param show the show
	 */
	void entered(String show);

	/**
	 * A sale of the show left the critical section.
	 * @param show the show
	 */
	void left(String show);

}
