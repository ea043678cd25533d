package dev.automutex.sample.redis;

import dev.automutex.annotation.AutoMutex;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;

/**
 * Sells tickets whose count lives in Redis, with a plain read-then-write that is only
 * safe because every instance holds the show's mutex while it runs (key
 * {@code BoxOffice#sell:<show>}).
 */
@Service
public class BoxOffice {

	private final StringRedisTemplate redis;

	public BoxOffice(StringRedisTemplate redis) {
		this.redis = redis;
	}

	public void open(String show, int tickets) {
		this.redis.opsForValue().set("tickets:" + show, String.valueOf(tickets));
		this.redis.delete("sold:" + show);
	}

	/**
	 * Sell one ticket for a show, if any are left.
	 * @param show the show
	 * @param buyer who buys
	 * @return whether a ticket was sold
	 */
	@AutoMutex(on = "#show", block = "5s")
	public boolean sell(String show, String buyer) {
		String left = this.redis.opsForValue().get("tickets:" + show);
		int tickets = (left != null) ? Integer.parseInt(left) : 0;
		if (tickets == 0) {
			return false;
		}
		this.redis.opsForValue().set("tickets:" + show, String.valueOf(tickets - 1));
		this.redis.opsForList().rightPush("sold:" + show, buyer);
		return true;
	}

	public long sold(String show) {
		Long sold = this.redis.opsForList().size("sold:" + show);
		return (sold != null) ? sold : 0;
	}

	public int left(String show) {
		String left = this.redis.opsForValue().get("tickets:" + show);
		return (left != null) ? Integer.parseInt(left) : 0;
	}

}
