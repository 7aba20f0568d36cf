#include "sentry/integrations/thread_pool.h"

namespace sentry::internal {

protocol::Mechanism ThreadPoolMechanism() {
  protocol::Mechanism mechanism;
  mechanism.set_type("thread_pool");
  mechanism.set_handled(false);
  return mechanism;
}

}  // namespace sentry::internal
