"""Softmax (cross-entropy) loss of a linear classifier, naive and vectorized."""

import numpy as np


def softmax_loss_naive(W, X, y, reg):
    """
    Softmax loss, computed with explicit loops.

    D is the input dimension, C the number of classes, N the number of
    examples in the minibatch.

    Inputs:
    - W: numpy array of shape (D, C), the weights.
    - X: numpy array of shape (N, D), a minibatch of data.
    - y: numpy array of shape (N,) of labels; y[i] = c means X[i] belongs to
      class c, with 0 <= c < C.
    - reg: (float) regularization strength; the penalty is reg * sum(W * W).

    Returns a tuple of:
    - loss: the loss as a single float.
    - dW: gradient of the loss with respect to W, same shape as W.
    """
    loss = 0.0
    dW = np.zeros_like(W)

    # ==================== TODO ==================== #
    # Compute the softmax loss and its gradient with explicit loops, and
    # store them in loss and dW. Average the data loss over the minibatch
    # and add the penalty reg * sum(W * W) (and its gradient). Keep it
    # numerically stable: subtract the largest score of an example from
    # all of its scores before exponentiating.
    # ============================================== #
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)
        log_norm = np.log(np.sum(np.exp(scores)))
        probs = np.exp(scores - log_norm)
        loss -= scores[y[i]] - log_norm  # log-sum-exp: finite even where probs[y[i]] underflows
        for j in range(num_classes):
            target = 1.0 if j == y[i] else 0.0
            dW[:, j] += (probs[j] - target) * X[i]

    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    # ============== END OF YOUR CODE ============== #

    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """
    Softmax loss, vectorized.

    Inputs and outputs are the same as for softmax_loss_naive.
    """
    loss = 0.0
    dW = np.zeros_like(W)

    # ==================== TODO ==================== #
    # Compute the softmax loss and its gradient without any Python loop,
    # and store them in loss and dW. Same averaging, penalty and numerical
    # stability as in softmax_loss_naive.
    # ============================================== #
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    loss = -np.sum(log_probs[rows, y]) / num_train + reg * np.sum(W * W)

    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    # ============== END OF YOUR CODE ============== #

    return loss, dW
