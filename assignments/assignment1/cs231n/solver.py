"""A Solver trains classification models with the update rules of optim.py."""

import os
import pickle

import numpy as np

from . import optim


class Solver(object):
    """
    A Solver holds everything needed to train a classification model: it
    runs stochastic gradient descent with an update rule from optim.py.

    Give the constructor a model, a dataset and options (learning rate,
    batch size, ...), then call train() to fit the model. Afterwards
    model.params holds the parameters that did best on the validation set
    during training, and solver.loss_history, solver.train_acc_history and
    solver.val_acc_history record the minibatch losses and the accuracies
    measured after each epoch.

    Example:

        data = {
            'X_train': ...,  # training data
            'y_train': ...,  # training labels
            'X_val': ...,    # validation data
            'y_val': ...,    # validation labels
        }
        model = MyAwesomeModel(hidden_size=100, reg=10)
        solver = Solver(model, data,
                        update_rule='sgd',
                        optim_config={'learning_rate': 1e-4},
                        lr_decay=0.95,
                        num_epochs=5, batch_size=200,
                        print_every=100)
        solver.train()

    The model must provide:

    - model.params: a dictionary mapping parameter names to numpy arrays of
      parameter values.

    - model.loss(X, y): a function computing the training-time loss and
      gradients, and the test-time class scores, with these inputs and
      outputs:

      Inputs:
      - X: array of a minibatch of inputs, of shape (N, d_1, ..., d_k).
      - y: array of labels of shape (N,); y[i] is the label of X[i].

      Returns:
      If y is None, the test-time forward pass runs and returns:
      - scores: array of shape (N, C); scores[i, c] is the score of
        class c for X[i].

      If y is not None, the training-time forward and backward passes run
      and return a tuple of:
      - loss: scalar loss.
      - grads: dictionary with the same keys as self.params, mapping each
        parameter name to the gradient of the loss with respect to it.
    """

    def __init__(self, model, data, **kwargs):
        """
        Construct a new Solver.

        Required arguments:
        - model: a model object with the interface described above.
        - data: a dictionary of training and validation data:
          'X_train': array of shape (N_train, d_1, ..., d_k), training inputs
          'X_val': array of shape (N_val, d_1, ..., d_k), validation inputs
          'y_train': array of shape (N_train,), training labels
          'y_val': array of shape (N_val,), validation labels

        Optional keyword arguments:
        - update_rule: name of an update rule in optim.py (default 'sgd').
        - optim_config: dictionary of hyperparameters handed to the update
          rule; every rule needs 'learning_rate'. Each parameter gets its
          own copy.
        - lr_decay: factor applied to the learning rate after every epoch.
        - batch_size: size of the minibatches used for the loss and
          gradients during training.
        - num_epochs: number of epochs of training.
        - num_train_samples: number of training examples used to check the
          training accuracy (default 1000; None for all of them).
        - num_val_samples: number of validation examples used to check the
          validation accuracy (default None, all of them).
        - checkpoint_name: if given, a checkpoint is pickled after every
          epoch under this name.
        - print_every: integer; the training loss is printed every
          print_every iterations.
        - verbose: boolean; False keeps training silent.
        """
        self.model = model
        self.X_train = data["X_train"]
        self.y_train = data["y_train"]
        self.X_val = data["X_val"]
        self.y_val = data["y_val"]

        # Unpack the keyword arguments.
        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)

        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)

        # Anything left over is an argument we do not know.
        if len(kwargs) > 0:
            unknown = ", ".join('"%s"' % name for name in kwargs)
            raise ValueError("Unrecognized arguments %s" % unknown)

        # Look the update rule up by name in the optim module.
        if not hasattr(optim, self.update_rule):
            raise ValueError('Invalid update_rule "%s"' % self.update_rule)
        self.update_rule = getattr(optim, self.update_rule)

        self._reset()

    def _reset(self):
        """
        Set up the bookkeeping of an optimization run. Called by the
        constructor; do not call it by hand.
        """
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []

        # Every parameter gets its own copy of the optimizer configuration.
        self.optim_configs = {}
        for name in self.model.params:
            self.optim_configs[name] = dict(self.optim_config)

    def _step(self):
        """
        Make a single gradient update. Called by train(); do not call it by
        hand.
        """
        # Draw a random minibatch of training data.
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        X_batch = self.X_train[batch_mask]
        y_batch = self.y_train[batch_mask]

        # Loss and gradients.
        loss, grads = self.model.loss(X_batch, y_batch)
        self.loss_history.append(loss)

        # Update every parameter with its own configuration.
        for name, value in self.model.params.items():
            next_value, next_config = self.update_rule(
                value, grads[name], self.optim_configs[name]
            )
            self.model.params[name] = next_value
            self.optim_configs[name] = next_config

    def _save_checkpoint(self):
        """Pickle the model and the training state, if checkpoint_name is set."""
        if self.checkpoint_name is None:
            return
        checkpoint = {
            "model": self.model,
            "update_rule": self.update_rule,
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
        }
        filename = "%s_epoch_%d.pkl" % (self.checkpoint_name, self.epoch)
        if self.verbose:
            print('Saving checkpoint to "%s"' % filename)
        with open(filename, "wb") as f:
            pickle.dump(checkpoint, f)

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """
        Accuracy of the model on the given data.

        Inputs:
        - X: array of data, of shape (N, d_1, ..., d_k).
        - y: array of labels, of shape (N,).
        - num_samples: if given, the accuracy is measured on a random
          subsample of num_samples examples only.
        - batch_size: predictions are made in batches of this size to keep
          memory use bounded.

        Returns:
        - acc: scalar, the fraction of examples the model classifies
          correctly.
        """
        # Subsample if asked to.
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N = num_samples
            X = X[mask]
            y = y[mask]

        # Predict in batches.
        num_batches = (N + batch_size - 1) // batch_size
        y_pred = []
        for i in range(num_batches):
            start = i * batch_size
            end = (i + 1) * batch_size
            scores = self.model.loss(X[start:end])
            y_pred.append(np.argmax(scores, axis=1))
        y_pred = np.hstack(y_pred)
        acc = np.mean(y_pred == y)

        return acc

    def train(self):
        """Run the optimization to train the model."""
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch

        for t in range(num_iterations):
            self._step()

            if self.verbose and t % self.print_every == 0:
                print(
                    "(Iteration %d / %d) loss: %f"
                    % (t + 1, num_iterations, self.loss_history[-1])
                )

            # At the end of every epoch, count it and decay the learning rate.
            epoch_end = (t + 1) % iterations_per_epoch == 0
            if epoch_end:
                self.epoch += 1
                for name in self.optim_configs:
                    self.optim_configs[name]["learning_rate"] *= self.lr_decay

            # Check the accuracies at the first iteration, the last one and
            # the end of every epoch.
            first_it = t == 0
            last_it = t == num_iterations - 1
            if first_it or last_it or epoch_end:
                train_acc = self.check_accuracy(
                    self.X_train, self.y_train, num_samples=self.num_train_samples
                )
                val_acc = self.check_accuracy(
                    self.X_val, self.y_val, num_samples=self.num_val_samples
                )
                self.train_acc_history.append(train_acc)
                self.val_acc_history.append(val_acc)
                self._save_checkpoint()

                if self.verbose:
                    print(
                        "(Epoch %d / %d) train acc: %f; val_acc: %f"
                        % (self.epoch, self.num_epochs, train_acc, val_acc)
                    )

                # Remember the best parameters seen so far.
                if val_acc > self.best_val_acc:
                    self.best_val_acc = val_acc
                    self.best_params = {
                        name: value.copy() for name, value in self.model.params.items()
                    }

        # Finish with the parameters that did best on the validation set.
        if self.best_params:
            self.model.params = self.best_params
