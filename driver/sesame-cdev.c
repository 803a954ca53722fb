// SPDX-License-Identifier: GPL-2.0
/*
 * sesame-cdev.c - /dev/sesame: one command per write, a status line per read.
 *
 *   $ echo open > /dev/sesame
 *   $ cat /dev/sesame
 *   state=open pulse_us=2000 angle=135 pulsing=1 opens=1
 *
 * poll() reports the file readable when the status changed since that file
 * last read it (at offset 0), so a program sees the automatic close without
 * polling in a loop. A file outlives the device it was opened on: each holds
 * a reference, and after unbind it gets -ENODEV and a hang-up from poll().
 */
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "sesame.h"

struct sesame_file {
	struct sesame *s;
	struct mutex lock;		/* protects the fields below */
	unsigned long seen;		/* status_seq at the last read */
	char status[SESAME_STATUS_MAX];	/* the line being read */
	size_t len;
};

static int sesame_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx, which unbind takes to deregister us. */
	struct sesame *s = container_of(file->private_data, struct sesame, misc);
	struct sesame_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	kref_get(&s->ref);
	f->s = s;
	file->private_data = f;
	return 0;
}

static int sesame_release(struct inode *inode, struct file *file)
{
	struct sesame_file *f = file->private_data;

	sesame_put(f->s);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

/* Takes a snapshot of the status for this file to read. */
static void sesame_snapshot(struct sesame_file *f)
{
	struct sesame *s = f->s;
	struct sesame_motion motion;
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	motion = s->motion;
	WRITE_ONCE(f->seen, s->status_seq);
	raw_spin_unlock_irqrestore(&s->lock, flags);

	f->len = sesame_format_status(f->status, sizeof(f->status), &s->cfg, &motion);
}

static ssize_t sesame_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	struct sesame_file *f = file->private_data;
	ssize_t ret;

	if (READ_ONCE(f->s->gone))
		return -ENODEV;

	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	if (*ppos == 0)
		sesame_snapshot(f);
	ret = simple_read_from_buffer(buf, count, ppos, f->status, f->len);
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t sesame_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct sesame_file *f = file->private_data;
	char cmdbuf[SESAME_CMD_MAX];
	struct sesame_cmd cmd;
	int err;

	if (READ_ONCE(f->s->gone))
		return -ENODEV;
	if (count > sizeof(cmdbuf))
		return -EINVAL;
	if (copy_from_user(cmdbuf, buf, count))
		return -EFAULT;

	err = sesame_parse_cmd(cmdbuf, count, &f->s->cfg, &cmd);
	if (!err)
		err = sesame_pulse_command(f->s, &cmd);
	return err ? err : count;
}

static __poll_t sesame_poll(struct file *file, poll_table *wait)
{
	struct sesame_file *f = file->private_data;
	struct sesame *s = f->s;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &s->waitq, wait);
	if (READ_ONCE(s->gone))
		return EPOLLHUP | EPOLLERR;
	/* f->seen without its mutex: a stale value only wakes once more. */
	if (READ_ONCE(s->status_seq) != READ_ONCE(f->seen))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static const struct file_operations sesame_fops = {
	.owner		= THIS_MODULE,
	.open		= sesame_open,
	.release	= sesame_release,
	.read		= sesame_read,
	.write		= sesame_write,
	.poll		= sesame_poll,
	.llseek		= default_llseek,
};

/* Root only: udev grants the node to a group (udev/), never to everyone. */
int sesame_cdev_register(struct sesame *s)
{
	s->misc.minor = MISC_DYNAMIC_MINOR;
	s->misc.name = s->name;
	s->misc.fops = &sesame_fops;
	s->misc.parent = s->dev;
	s->misc.groups = sesame_groups;
	s->misc.mode = 0600;
	return misc_register(&s->misc);
}
