package dev.sluice.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class NotificationTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static OrderEvent event(String json) throws Exception {
    return OrderEvent.from(MAPPER.readTree(json));
  }

  @Test
  void message_eventsWithoutOptionalFields_plainSentences() throws Exception {
    String common = "\"eventId\":\"e\",\"orderId\":\"o-000123\",\"type\":";

    assertThat(Notification.message(event("{" + common + "\"OrderPlaced\"}")))
        .isEqualTo("Order o-000123 has been placed");
    assertThat(Notification.message(event("{" + common + "\"OrderShipped\",\"carrier\":\"\"}")))
        .isEqualTo("Order o-000123 has shipped");
    assertThat(Notification.message(event("{" + common + "\"OrderDelivered\"}")))
        .isEqualTo("Order o-000123 has been delivered");
  }

  @Test
  void message_totalGivenAsText_keptAsWritten() throws Exception {
    OrderEvent placed =
        event(
            "{\"eventId\":\"e\",\"orderId\":\"o-1\",\"type\":\"OrderPlaced\",\"total\":\"12.30\"}");

    assertThat(Notification.message(placed)).isEqualTo("Order o-1 has been placed, total 12.30");
  }

  @Test
  void emailFor_moreOrdersThanCapacity_oldestForgotten() throws Exception {
    EmailBook book = new EmailBook(2);
    book.emailFor(event(Events.placed("e1", "o-1")));
    book.emailFor(event(Events.placed("e2", "o-2")));
    book.emailFor(event(Events.placed("e3", "o-3")));

    assertThat(book.emailFor(event(Events.shipped("e4", "o-3")))).isEqualTo("ana@example.com");
    assertThat(book.emailFor(event(Events.shipped("e5", "o-1")))).isNull();
  }
}
