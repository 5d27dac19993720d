"""First-order update rules for training neural networks.

Every update rule has the same interface:

    next_w, config = update(w, dw, config)

Inputs:
- w: numpy array, the current weights.
- dw: numpy array of the same shape as w, the gradient of the loss with
  respect to w.
- config: dictionary of hyperparameters (learning rate, decay rates, ...)
  and of any state the rule carries from one step to the next, such as a
  moving average of the gradients. It may be None, in which case the
  defaults are used.

Returns:
- next_w: the weights after the update.
- config: the configuration dictionary to pass to the next call.

Many rules need a learning rate; the other hyperparameters have sensible
defaults, filled in with config.setdefault.
"""

import numpy as np


def sgd(w, dw, config=None):
    """
    Vanilla stochastic gradient descent.

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)

    w -= config["learning_rate"] * dw
    return w, config


def sgd_momentum(w, dw, config=None):
    """
    Stochastic gradient descent with momentum.

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    - momentum: scalar between 0 and 1 that weighs the previous velocity
      (default 0.9); 0 gives vanilla SGD.
    - velocity: numpy array of the same shape as w and dw, a moving
      average of the gradients (zeros when absent).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))

    next_w = None
    # ==================== TODO ==================== #
    # Implement the momentum update: decay the velocity v by the momentum
    # and subtract the learning rate times the gradient, then move w by
    # the new velocity. Store the new weights in next_w and the new
    # velocity in v.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    config["velocity"] = v

    return next_w, config


def rmsprop(w, dw, config=None):
    """
    RMSProp: divides the step of every parameter by the root of a moving
    average of its squared gradients.

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    - decay_rate: scalar between 0 and 1, decay of the squared-gradient
      average (default 0.99).
    - epsilon: small scalar that avoids division by zero (default 1e-8).
    - cache: moving average of the squared gradients, same shape as w
      (zeros when absent).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    next_w = None
    # ==================== TODO ==================== #
    # Implement the RMSProp update: refresh the moving average of squared
    # gradients in config["cache"], then step w by the learning rate times
    # the gradient divided by (the root of that average + epsilon). Store
    # the new weights in next_w.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #

    return next_w, config


def adam(w, dw, config=None):
    """
    Adam: moving averages of the gradient and of its square, both with a
    bias correction.

    config format:
    - learning_rate: scalar learning rate (default 1e-3).
    - beta1: decay of the moving average of the gradient (default 0.9).
    - beta2: decay of the moving average of the squared gradient
      (default 0.999).
    - epsilon: small scalar that avoids division by zero (default 1e-8).
    - m: moving average of the gradient (zeros when absent).
    - v: moving average of the squared gradient (zeros when absent).
    - t: iteration number (0 when absent).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    next_w = None
    # ==================== TODO ==================== #
    # Implement the Adam update. Store the new weights in next_w and the
    # new m, v and t in config. Increase t by one BEFORE using it in the
    # bias correction of m and v.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #

    return next_w, config
