"""A two-layer fully connected network, written in one class (2020 layout)."""

import numpy as np


class TwoLayerNet(object):
    """
    A two-layer fully connected network. The input has dimension D, the
    hidden layer H units, and the network scores C classes. It is trained
    with a softmax loss and L2 regularization of the weight matrices, and
    uses a ReLU nonlinearity after the first layer.

    The architecture is: input - affine - relu - affine - softmax; the
    scores are the outputs of the second affine layer.

    The learnable parameters live in the dictionary self.params:
    - 'W1': first layer weights, of shape (D, H).
    - 'b1': first layer biases, of shape (H,).
    - 'W2': second layer weights, of shape (H, C).
    - 'b2': second layer biases, of shape (C,).
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        """
        Build the network: small random weights, zero biases.

        Inputs:
        - input_size: the dimension D of the input data.
        - hidden_size: the number H of units in the hidden layer.
        - output_size: the number C of classes.
        - std: standard deviation of the random initial weights.
        """
        self.params = {}
        self.params["W1"] = std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        """
        Compute the class scores, or the loss and the gradients.

        Inputs:
        - X: numpy array of shape (N, D), a minibatch of N examples.
        - y: numpy array of shape (N,) of labels; y[i] is the label of X[i],
          an integer with 0 <= y[i] < C. If None, only the scores are
          computed.
        - reg: (float) regularization strength; the penalty is
          reg * (sum(W1 * W1) + sum(W2 * W2)), without a factor 0.5.

        Returns:
        If y is None:
        - scores: numpy array of shape (N, C); scores[i, c] is the score of
          class c for X[i].

        Otherwise, a tuple of:
        - loss: (float) the softmax loss averaged over the minibatch, plus
          the penalty.
        - grads: dictionary with the same keys as self.params, mapping each
          parameter name to the gradient of the loss with respect to it,
          of the same shape as the parameter.
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]

        scores = None
        # ==================== TODO ==================== #
        # Forward pass: compute the class scores of X, an array of shape
        # (N, C), and store them in scores.
        # ============================================== #
        hidden = np.maximum(0, X.dot(W1) + b1)
        scores = hidden.dot(W2) + b2
        # ============== END OF YOUR CODE ============== #

        # Without labels, return the scores.
        if y is None:
            return scores

        loss = None
        # ==================== TODO ==================== #
        # Finish the forward pass: compute the loss, the softmax loss of the
        # scores averaged over the N examples plus the penalty
        # reg * (sum(W1 * W1) + sum(W2 * W2)) (no factor 0.5; the biases
        # are not penalized), and store it in loss, a float. Keep it
        # numerically stable: subtract the largest score of an example from
        # all of its scores before exponentiating.
        # ============================================== #
        N = X.shape[0]
        rows = np.arange(N)
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        data_loss = -np.sum(log_probs[rows, y]) / N
        loss = data_loss + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        # ============== END OF YOUR CODE ============== #

        grads = {}
        # ==================== TODO ==================== #
        # Backward pass: compute the gradient of the loss with respect to
        # every parameter and store it in grads, so that grads['W1'] holds
        # the gradient with respect to self.params['W1'], and so on. Do not
        # forget the penalty's share of the gradients of W1 and W2.
        # ============================================== #
        dscores = np.exp(log_probs)
        dscores[rows, y] -= 1
        dscores /= N

        grads["W2"] = hidden.T.dot(dscores) + 2 * reg * W2
        grads["b2"] = np.sum(dscores, axis=0)

        dhidden = dscores.dot(W2.T) * (hidden > 0)
        grads["W1"] = X.T.dot(dhidden) + 2 * reg * W1
        grads["b1"] = np.sum(dhidden, axis=0)
        # ============== END OF YOUR CODE ============== #

        return loss, grads

    def train(
        self,
        X,
        y,
        X_val,
        y_val,
        learning_rate=1e-3,
        learning_rate_decay=0.95,
        reg=5e-6,
        num_iters=100,
        batch_size=200,
        verbose=False,
    ):
        """
        Train the network with minibatch stochastic gradient descent.

        Inputs:
        - X: numpy array of shape (N, D) of training data.
        - y: numpy array of shape (N,) of training labels; y[i] = c means
          X[i] belongs to class c, with 0 <= c < C.
        - X_val: numpy array of shape (N_val, D) of validation data.
        - y_val: numpy array of shape (N_val,) of validation labels.
        - learning_rate: scalar, the step size of each update.
        - learning_rate_decay: scalar, the factor applied to the learning
          rate after every epoch.
        - reg: scalar, regularization strength.
        - num_iters: number of SGD steps.
        - batch_size: number of training examples drawn for each step.
        - verbose: boolean; if true, print the loss now and then.

        Returns:
        A dictionary with
        - 'loss_history': list of the minibatch loss of every iteration.
        - 'train_acc_history': list of the accuracy on the current
          minibatch, measured at the start of every epoch.
        - 'val_acc_history': list of the validation accuracy, measured at
          the start of every epoch.
        """
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)

        loss_history = []
        train_acc_history = []
        val_acc_history = []

        for it in range(num_iters):
            X_batch = None
            y_batch = None

            # ==================== TODO ==================== #
            # Draw batch_size examples at random from the training data and
            # store them in X_batch, shape (batch_size, D), and their labels
            # in y_batch, shape (batch_size,). Sample WITH replacement.
            # ============================================== #
            batch_indices = np.random.choice(num_train, batch_size, replace=True)
            X_batch = X[batch_indices]
            y_batch = y[batch_indices]
            # ============== END OF YOUR CODE ============== #

            # Loss and gradients on this minibatch.
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)

            # ==================== TODO ==================== #
            # Update every parameter in self.params with one plain gradient
            # descent step, using the gradients in grads and the current
            # learning rate.
            # ============================================== #
            for name in self.params:
                self.params[name] -= learning_rate * grads[name]
            # ============== END OF YOUR CODE ============== #

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))

            # Once per epoch: record the accuracies and decay the learning
            # rate.
            if it % iterations_per_epoch == 0:
                train_acc = np.mean(self.predict(X_batch) == y_batch)
                val_acc = np.mean(self.predict(X_val) == y_val)
                train_acc_history.append(train_acc)
                val_acc_history.append(val_acc)
                learning_rate *= learning_rate_decay

        return {
            "loss_history": loss_history,
            "train_acc_history": train_acc_history,
            "val_acc_history": val_acc_history,
        }

    def predict(self, X):
        """
        Predict labels with the trained weights: for each example, the
        class with the highest score.

        Inputs:
        - X: numpy array of shape (N, D) of data points.

        Returns:
        - y_pred: numpy array of shape (N,) of predicted labels, each an
          integer class index with 0 <= y_pred[i] < C.
        """
        y_pred = None
        # ==================== TODO ==================== #
        # Compute the scores of X and store in y_pred the index of the
        # highest-scoring class of each example. (A short function: two
        # or three lines.)
        # ============================================== #
        y_pred = np.argmax(self.loss(X), axis=1)
        # ============== END OF YOUR CODE ============== #
        return y_pred
