"""Multiclass SVM (hinge) loss of a linear classifier, naive and vectorized."""

import numpy as np


def svm_loss_naive(W, X, y, reg):
    """
    Multiclass SVM loss with margin 1, computed with explicit loops.

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
    dW = np.zeros(W.shape)

    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # delta = 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]

    # Average the data loss over the minibatch.
    loss /= num_train

    # Add the L2 penalty.
    loss += reg * np.sum(W * W)

    # ==================== TODO ==================== #
    # Compute the gradient of the loss above and store it in dW. It is
    # easiest to accumulate it inside the loop while the loss is computed:
    # each positive margin adds X[i] to column j of dW and subtracts X[i]
    # from column y[i]. Then average over the minibatch (as for the loss)
    # and add the gradient of the penalty reg * sum(W * W).
    # ============================================== #
    dW /= num_train
    dW += 2 * reg * W
    # ============== END OF YOUR CODE ============== #

    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """
    Multiclass SVM loss, vectorized.

    Inputs and outputs are the same as for svm_loss_naive.
    """
    loss = 0.0
    dW = np.zeros(W.shape)

    # ==================== TODO ==================== #
    # Compute the SVM loss without any Python loop and store it in loss:
    # all class scores at once, the margins of every wrong class against
    # the correct class score, the average over the minibatch, and the
    # penalty reg * sum(W * W).
    # ============================================== #
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    correct_scores = scores[rows, y][:, np.newaxis]
    margins = np.maximum(0, scores - correct_scores + 1)
    margins[rows, y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    # ============== END OF YOUR CODE ============== #

    # ==================== TODO ==================== #
    # Compute the gradient of the same loss without any Python loop and
    # store it in dW. Hint: reuse what the loss computation produced. Each
    # positive margin contributes +X[i] to its class column and -X[i] to
    # the correct class column; a single matrix product can add all of
    # these up.
    # ============================================== #
    coeff = (margins > 0).astype(X.dtype)
    coeff[rows, y] = -np.sum(coeff, axis=1)
    dW = X.T.dot(coeff) / num_train + 2 * reg * W
    # ============== END OF YOUR CODE ============== #

    return loss, dW
